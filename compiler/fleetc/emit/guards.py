"""One tree for every microvm.nix generation in use, from 2025-07 on.

fleetc writes options that older microvm.nix generations lack: a share's
`readOnly` (2025-09-17), `vmHostPackages` (2025-08-21), `hypervisor = "vfkit"`
(2025-12-09), `machineId` (2026-03). Undeclared, each would fail the whole
evaluation. A module file therefore writes its settings as a hand-written
module would, passed through lib/compat.nix (emit/compat.py), which leaves
out those the evaluating microvm.nix does not declare. `newer_options` finds
them: a file's settings judged against the option data of the oldest
generation fleetc supports (microvm_options.oldest()), so a setting any
emitter adds later is listed as soon as it is newer than that.

Where leaving a setting out would make the VM less safe (a share the fleet
asked to be read-only) or not the VM the fleet describes (its hypervisor),
lib/compat.nix fails the build with an assertion saying what to do instead.
fleetc's own /nix/store share only loses `readOnly`: that is what microvm.nix
of that time did for everyone (its docs, flake template and build-microvm
share the store without it, there being no such option), the guest mounts
the store read-only over it (NixOS' boot.readOnlyNixStore), and on a NixOS
host the shared /nix/store is itself a read-only mount, which virtiofsd's and
9p's bind of it keeps. So does any share whose source is in the store.

Options are named as lib/compat.nix walks them: dotted, "*" stepping into the
submodule of a list's or attribute set's elements (nixpkgs'
`type.getSubOptions`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..core import microvm_options
from . import nix

HYPERVISOR = ("microvm", "hypervisor")
Path = tuple[str, ...]


@cache
def guest_tree() -> dict:
    return {"microvm": microvm_options.oldest()["microvm_guest_options"]}


@cache
def host_tree() -> dict:
    return {"microvm": microvm_options.oldest()["microvm_host_options"]}


@cache
def both_tree() -> dict:
    """The guest options both generations declare: an option the fleet sets by
    path ([vms.<vm>.microvm]) that either lacks is listed. Made once a run
    (not once a VM: 90,000 calls of `_common` at 10,000 VMs)."""
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


def newer_options(settings: dict, tree: dict) -> set[str]:
    """The options (dotted, "*" for elements) of a file's top-level settings
    that `tree`'s generation lacks. Only keys under `tree`'s names (microvm.*)
    are judged; the hypervisor's value is compat.nix's own check.

    The answer depends on the settings' shape only (`shape`), which VM after
    VM is the same: it is found once a shape and tree, not once a VM."""
    judged = {k: v for k, v in settings.items() if _path(k)[0] in tree}
    if not judged:  # most VMs set no option by path ([vms.<vm>.microvm])
        return set()
    known = _ANSWERS.setdefault(id(tree), (tree, {}))[1]
    key = shape(judged)
    if key not in known:
        known[key] = frozenset(_newer(tree, (), judged))
    return set(known[key])


# id(tree) -> (tree, {shape: newer options}); the tree is held so that its id
# is not reused while its answers are kept. Trees are never changed.
_ANSWERS: dict[int, tuple[dict, dict]] = {}


def shape(value: Any) -> Any:
    """What `_newer` reads of settings: their names and what holds a dict, a
    list or a Commented, not the values themselves (None). No call is made
    for a string or a number (most values)."""
    if type(value) is nix.Commented:
        return ("#", shape(value.value))
    if isinstance(value, dict):
        items = value.items()
        return (
            "{",
            *[(k, None if type(v) in _SCALARS else shape(v)) for k, v in items],
        )
    if isinstance(value, list):
        return ("[", *[None if type(v) in _SCALARS else shape(v) for v in value])
    return None


_SCALARS = {str, int, bool, type(None)}


def plain_newer_options(settings: dict, tree: dict) -> set[str]:
    """`newer_options` judged afresh: for settings whose shape is their own
    (a host's), and in tests/core/test_emit_fast_paths.py."""
    judged = {k: v for k, v in settings.items() if _path(k)[0] in tree}
    return _newer(tree, (), judged)


def newer_hypervisor(hypervisor: str) -> bool:
    return hypervisor not in microvm_options.oldest()["hypervisors"]


@cache
def default_in_both(key: Path, value: Any) -> bool:
    """Whether `value` is the default of guest option `key` (microvm.<name>)
    in every generation fleetc supports. Asked for every VM's hypervisor,
    vcpu and mem: answered once a value."""
    name = key[1]
    trees = (microvm_options.oldest(), microvm_options.data())
    nodes = [tree["microvm_guest_options"].get(name, {}) for tree in trees]
    return all("default" in node and node["default"] == value for node in nodes)


def declared_in_oldest(option: str) -> bool:
    both = guest_tree()["microvm"] | host_tree()["microvm"]
    return _find({"microvm": both}, tuple(option.split(".")))[1] is not None


def _newer(tree: dict, prefix: Path, attrs: dict) -> set[str]:
    found: set[str] = set()
    for key, value in attrs.items():
        path = _path(key)
        if prefix + path == HYPERVISOR:
            continue
        option, node = _find(tree, path)
        if node is None:
            found |= _leaves(prefix + option, value)
        else:
            found |= _inside(node, prefix + option, value)
    return found


def _leaves(option: Path, value: Any) -> set[str]:
    """A newer setting, one name per option: a group the oldest generation
    lacks (`tap = { vhost = true; }`) is named option by option, since its
    options may arrive one at a time."""
    value = _plain(value)
    group = _find({"microvm": _current()}, option)[1]
    if not isinstance(value, dict) or group is None or _is_declaration(group):
        return {_dotted(option)}
    found: set[str] = set()
    for name, inner in value.items():
        found |= _leaves(option + _path(name), inner)
    return found


def _current() -> dict:
    data = microvm_options.data()
    return data["microvm_guest_options"] | data["microvm_host_options"]


def _inside(node: dict, option: Path, value: Any) -> set[str]:
    """What `value` (set at `option`, whose node is `node`) writes that is newer."""
    value = _plain(value)
    if isinstance(value, dict) and not _is_declaration(node):
        return _newer(node, option, value)
    elements = _sub_options(node) if _is_declaration(node) else None
    if elements is None:
        return set()
    inside = option + ("*",)
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        return set()
    found: set[str] = set()
    for element in value:
        if isinstance(element, dict):
            found |= _newer(elements, inside, element)
    return found


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


def _plain(value: Any) -> Any:
    return value.value if type(value) is nix.Commented else value


def _path(key: str | tuple) -> Path:
    return key if isinstance(key, tuple) else (key,)


def _dotted(option: Path) -> str:
    return ".".join(option)
