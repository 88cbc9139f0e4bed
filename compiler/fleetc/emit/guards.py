"""One tree for every microvm.nix generation in use, from 2025-07 on.

fleetc writes options that older microvm.nix generations lack: a share's
`readOnly` (2025-09-17), `vmHostPackages` (2025-08-21), `hypervisor = "vfkit"`
(2025-12-09), `machineId` (2026-03). Undeclared, each would fail the whole
evaluation. `split` therefore judges a file's settings against the option data
of the oldest generation fleetc supports (microvm_options.oldest()) and writes
whatever that lacks only where the evaluating microvm.nix declares it, so a
setting any emitter adds later is guarded as soon as it is newer than that.

Where dropping a setting would make the VM less safe (a share the fleet asked to
be read-only) or not the VM the fleet describes (its hypervisor), `assertions`
fails the build with what to do instead. fleetc's own /nix/store share only
loses `readOnly`: that is what microvm.nix of that time did for everyone (its
docs, flake template and build-microvm share the store without it, there being
no such option), the guest mounts the store read-only over it (NixOS'
boot.readOnlyNixStore), and on a NixOS host the shared /nix/store is itself a
read-only mount, which virtiofsd's and 9p's bind of it keeps.

In Nix, one `let` per file (LET): `declared "microvm.shares.*.readOnly"` walks
`options`, "*" stepping into the submodule of a list's or attribute set's
elements (nixpkgs' `type.getSubOptions`).
"""

from __future__ import annotations

from typing import Any

from ..core import microvm_options
from . import nix
from ..core.model import Vm

LET = """let
  # Options older microvm.nix generations lack are set only where declared
  # ("*": inside the submodule of each element).
  declared =
    option:
    let
      step =
        found: name:
        if found == null then
          null
        else if name == "*" then
          found.type.getSubOptions [ ]
        else
          found.${name} or null;
    in
    builtins.foldl' step options (lib.splitString "." option) != null;
  ifDeclared = option: lib.optionalAttrs (declared option);
in"""

HYPERVISOR = ("microvm", "hypervisor")
READ_ONLY = "microvm.shares.*.readOnly"
# When the options the assertions name arrived in microvm.nix (its git log).
SINCE = {READ_ONLY: "2025-09-17", "microvm.vfkit": "2025-12-09"}
UPDATE = "update the flake's microvm input (`nix flake update microvm`)"

Path = tuple[str, ...]
# [(option, settings)]: settings written only where the option is declared.
Newer = list[tuple[str, dict]]


def guest_tree() -> dict:
    return {"microvm": microvm_options.oldest()["microvm_guest_options"]}


def host_tree() -> dict:
    return {"microvm": microvm_options.oldest()["microvm_host_options"]}


def both_tree() -> dict:
    """The guest options both generations declare: an option the fleet sets by
    path ([vms.<vm>.microvm]) that either lacks is guarded."""
    old = microvm_options.oldest()["microvm_guest_options"]
    new = microvm_options.data()["microvm_guest_options"]
    return {"microvm": _common(old, new)}


def _common(old: dict, new: dict) -> dict:
    found = {}
    for name in old.keys() & new.keys():
        if _is_declaration(old[name]) and _is_declaration(new[name]):
            found[name] = old[name]
        elif not _is_declaration(old[name]) and not _is_declaration(new[name]):
            found[name] = _common(old[name], new[name])
    return dict(sorted(found.items()))


def split(settings: dict, tree: dict, indent: int) -> tuple[dict, Newer]:
    """(settings every generation declares, the guarded rest) of a file's
    top-level settings; `indent` is where their values render. Only keys
    under `tree`'s names (microvm.*) are judged."""
    judged = {k: v for k, v in settings.items() if _path(k)[0] in tree}
    kept, newer = _split(tree, (), judged, indent)
    # In the settings' own order; what moved to `newer` is left out.
    both = {k: v for k, v in settings.items() if k not in judged} | kept
    return {k: both[k] for k in settings if k in both}, newer


def merge_elements(newer: Newer, indent: int) -> list[str]:
    """`(ifDeclared "<option>" { ... })`, one per guarded top-level setting."""
    return [f"(ifDeclared {nix.string(o)} {nix.render(s, indent)})" for o, s in newer]


def declared_in_oldest(option: str) -> bool:
    both = guest_tree()["microvm"] | host_tree()["microvm"]
    return _find({"microvm": both}, tuple(option.split(".")))[1] is not None


def assertions(vm: Vm) -> dict:
    """NixOS assertions for what an older generation must not silently drop."""
    found = []
    if not declared_in_oldest(READ_ONLY):
        # A share from the repository is in the store, read-only whatever
        # microvm.nix can say (as fleetc's own /nix/store share).
        asked = [s for s in vm.shares if s.read_only and not s.from_repo]
        found += [_read_only(vm, s.tag, s.source) for s in asked]
    if vm.hypervisor not in microvm_options.oldest()["hypervisors"]:
        found.append(_hypervisor(vm))
    return {"assertions": found} if found else {}


def _read_only(vm: Vm, tag: str, source: str) -> dict:
    message = (
        f"fleetc: VM {vm.name} must get {source} (share {tag}) read-only, but"
        f" this microvm.nix has no {READ_ONLY} (from {SINCE[READ_ONLY]} on):"
        f" the VM could write to it. To build it, {UPDATE}."
    )
    return _assertion(READ_ONLY, message)


def _hypervisor(vm: Vm) -> dict:
    option = f"microvm.{vm.hypervisor}"
    since = SINCE.get(option, "a newer microvm.nix")
    message = (
        f"fleetc: VM {vm.name} runs on {vm.hypervisor}, which this microvm.nix"
        f" does not have ({option} from {since} on): without it the VM would"
        f" run on its default hypervisor. To build it, {UPDATE}."
    )
    return _assertion(option, message)


def _assertion(option: str, message: str) -> dict:
    return {"assertion": nix.Expr(f"declared {nix.string(option)}"), "message": message}


def _split(tree: dict, prefix: Path, attrs: dict, indent: int) -> tuple[dict, Newer]:
    kept: dict = {}
    newer: Newer = []
    for key, value in attrs.items():
        path = _path(key)
        option, found = _find(tree, path)
        if (prefix + path) == HYPERVISOR and value not in _old_hypervisors():
            # A hypervisor arrives with its own options (microvm.vfkit.*).
            newer.append((f"microvm.{value}", {key: value}))
        elif found is None:
            newer += _leaves(prefix + option, path, value)
        else:
            kept[key] = _value(found, prefix + option, value, indent)
    return kept, newer


def _leaves(option: Path, key: Path, value: Any) -> Newer:
    """A newer setting, one guard per option: a group the oldest generation
    lacks (`tap = { vhost = true; }`) is guarded option by option, since its
    options may arrive one at a time."""
    group = _find({"microvm": _current()}, option)[1]
    if not isinstance(value, dict) or group is None or _is_declaration(group):
        return [(_dotted(option), {key: value})]
    found: Newer = []
    for name, inner in value.items():
        found += _leaves(option + _path(name), key + _path(name), inner)
    return found


def _current() -> dict:
    data = microvm_options.data()
    return data["microvm_guest_options"] | data["microvm_host_options"]


def _value(node: dict, option: Path, value: Any, indent: int) -> Any:
    """`value` (rendered at `indent`) with what the oldest generation lacks guarded."""
    if isinstance(value, dict) and not _is_declaration(node):
        return _attrs(node, option, value, indent)
    elements = _sub_options(node) if _is_declaration(node) else None
    if elements is None:
        return value
    inside = option + ("*",)
    if isinstance(value, list):
        return [_attrs(elements, inside, e, indent + 1) for e in value]
    if isinstance(value, dict):
        return {k: _attrs(elements, inside, e, indent + 1) for k, e in value.items()}
    return value


def _attrs(tree: dict, option: Path, value: Any, indent: int) -> Any:
    """An attribute set (rendered at `indent`), as `(kept // ifDeclared ...)`
    when some of it is newer."""
    if not isinstance(value, dict):
        return value
    kept, newer = _split(tree, option, value, indent + 1)
    if not newer:
        return kept
    inner = nix.INDENT * (indent + 1)
    lines = ["(", inner + nix.render(kept, indent + 1)]
    for name, part in newer:
        guarded = f"// ifDeclared {nix.string(name)} {_render(part, indent + 1)}"
        lines.append(inner + guarded)
    return nix.Expr("\n".join(lines + [nix.INDENT * indent + ")"]))


def _render(part: dict, indent: int) -> str:
    """As nix.render, but one setting of one short line stays on its line."""
    ((key, value),) = part.items() if len(part) == 1 else ((None, None),)
    single = nix.render(value, indent) if key is not None else "\n"
    if "\n" in single or len(single) > 40:
        return nix.render(part, indent)
    return f"{{ {nix.attr_path(*_path(key))} = {single}; }}"


def _find(tree: dict, path: Path) -> tuple[Path, dict | None]:
    """(the option path, "*" for element names; its node in the oldest
    generation or None). Only a submodule's elements are entered by name."""
    option: Path = ()
    node = tree
    for index, name in enumerate(path):
        if _is_declaration(node):
            inner = _sub_options(node)
            if inner is None:  # the rest names a part of its value (attrsOf)
                return option, node
            node, step = inner, "*"
        elif name in node:
            node, step = node[name], name
        else:
            return option + path[index:], None
        option += (step,)
    return option, node


def _is_declaration(node: dict) -> bool:
    kind = node.get("type")
    return isinstance(kind, dict) and isinstance(kind.get("name"), str)


def _sub_options(declaration: dict) -> dict | None:
    """The options inside a (list, attribute set, null or) submodule."""
    kind = declaration["type"]
    while kind["name"] in ("nullOr", "listOf", "attrsOf"):
        kind = kind["elem"]
    return kind.get("options") if kind["name"] == "submodule" else None


def _old_hypervisors() -> list[str]:
    return microvm_options.oldest()["hypervisors"]


def _path(key: str | tuple) -> Path:
    return key if isinstance(key, tuple) else (key,)


def _dotted(option: Path) -> str:
    return ".".join(option)
