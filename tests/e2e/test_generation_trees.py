"""Every checked-in tree (samples/*/generated, tests/cases/*/expected) and a
vfkit fleet, evaluated against both microvm.nix stand-ins: the current one and
2025-07 (astro/microvm.nix f30ae9b, tests/nix/microvm-legacy).

With the current generation nothing may fail. With 2025-07 only the VMs the
fleet asks for something that generation cannot give (a read-only share, a
hypervisor it lacks) may fail, by an assertion saying so, and their hosts with
them; everything else must evaluate down to its derivations.

Which options need compat is computed here from the two option data files,
independently of emit/guards.py: every option fleetc writes with the current
generation that 2025-07 lacks must be listed in the tree's lib/compat.nix
and the file that writes it must pass through compat (as must a VM on a
hypervisor 2025-07 lacks), so options a future refresh of the data brings are
caught.
Each tree is one `nix eval` per generation.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import SOPS_NIX, compile_dir, generate, staged, write_fleet
from tests.support.goldens import CASES, SAMPLES, case_dirs, sample_dirs
from tests.support.paths import DATA

CURRENT = json.loads((DATA / "microvm-options.json").read_text())
OLDEST = json.loads((DATA / "microvm-options-2025-07.json").read_text())
BRANDING = nixeval.NIX_DIR / "branding"  # samples/shapes' `flake = false` input
DISKO = nixeval.NIX_DIR / "disko"
GENERATIONS = ["current", "legacy"]

VFKIT_FLEET = """
[fleet]
name = "mac"
system = "aarch64-linux"
journal = false
network_stack = "none"

[networks.nat]
ipv4 = "10.0.2.0/24"

[hosts.mac]
machine_id = "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"
system = "aarch64-darwin"

[vms.dev]
host = "mac"
hypervisor = "vfkit"
machine_id = "0123456789abcdef0123456789abcdef"
interfaces = [{ network = "nat", type = "user", ipv4 = "10.0.2.15", mac = "02:00:00:00:00:15", id = "dev" }]
"""

# --apply on nixosConfigurations: per configuration, the messages of failed
# assertions (its own and its VMs'), the microvm.* values its own module file
# writes, and its derivations (only where nothing failed).
REPORT = f"""configurations: let
  inspect = {nixeval.INSPECT};
  failed = name: let config = configurations.${{name}}.config; in
    map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  vmsOf = config: builtins.attrNames (config.microvm.vms or {{ }});
  report = name: evaluated: let
    config = evaluated.config;
    own = failed name;
    all = own ++ builtins.concatMap failed (vmsOf config);
    # a host without VMs (samples/shapes' monitor) has no microvm.* at all
    isHost = config ? microvm.vms || !(config ? microvm);
    file = if isHost then "/hosts/${{name}}.nix" else "/vms/${{name}}.nix";
    writtenIn = file:
      if evaluated.options ? microvm
      then inspect.definedIn file [ "microvm" ] evaluated.options.microvm
      else [ ];
  in {{
    inherit file;
    failed = own;
    written = writtenIn file;
    # what every VM gets, from lib/every-vm.nix
    shared = if isHost then [ ] else writtenIn "/lib/every-vm.nix";
    derivations = if all != [ ] then null else [
      config.system.build.toplevel.drvPath
      (if config ? microvm.declaredRunner then config.microvm.declaredRunner.drvPath else null)
    ];
  }};
in builtins.mapAttrs report configurations"""


def tree_dirs() -> list[Path]:
    cases = [case for case in case_dirs() if (case / "expected").is_dir()]
    return sample_dirs() + cases


def copied(source: Path, into: Path) -> Path:
    """A copy of a sample or case whose own modules are empty (they set
    NixOS options the stand-ins do not declare; fleetc's output is judged),
    and whose overlays (samples/shapes/overlays) change nothing."""
    fleet_dir = into / source.name
    shutil.copytree(source, fleet_dir)
    expected = fleet_dir / "expected"
    if expected.is_dir():
        expected.rename(fleet_dir / "generated")
    for module in fleet_dir.rglob("*.nix"):
        parts = module.relative_to(fleet_dir).parts
        if "overlays" in parts:
            module.write_text("final: prev: { }\n")
        elif "generated" not in parts:
            module.write_text("{ }\n")
    return fleet_dir


def inputs_of(flake: Path, generation: str) -> dict[str, Path]:
    text = (flake / "tree").rglob("flake.nix")
    names = " ".join(path.read_text() for path in text)
    found = nixeval.overrides(generation)
    extra = {"sops-nix": SOPS_NIX, "disko": DISKO, "branding": BRANDING}
    found |= nixeval.deploy_tools(names)
    return found | {name: path for name, path in extra.items() if name in names}


@pytest.fixture(scope="module")
def staged_trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """name -> (fleet dir copy, staged flake)."""
    found = {}
    for source in tree_dirs():
        fleet_dir = copied(source, tmp_path_factory.mktemp("fleet"))
        found[source.name] = (fleet_dir, staged(fleet_dir, fleet_dir.parent / "nix"))
    vfkit = write_fleet(tmp_path_factory.mktemp("fleet") / "vfkit", VFKIT_FLEET)
    generate(vfkit)
    found["vfkit"] = (vfkit, staged(vfkit, vfkit.parent / "nix"))
    return found


@pytest.fixture(scope="module")
def reports(staged_trees: dict) -> dict[str, dict]:
    """generation -> tree -> configuration -> report (one eval per tree and
    generation)."""
    found: dict[str, dict] = {generation: {} for generation in GENERATIONS}
    for name, (_, flake) in staged_trees.items():
        options = nixeval.channel_options() if reads_channel(flake) else []
        for generation in GENERATIONS:
            inputs = inputs_of(flake, generation)
            found[generation][name] = nixeval.eval_flake(
                flake, "nixosConfigurations", inputs, REPORT, options
            )
    return found


def reads_channel(flake: Path) -> bool:
    return any("<nixpkgs>" in f.read_text() for f in flake.rglob("*.nix"))


def expected_failures(fleet_dir: Path, generation: str) -> dict[str, list[str]]:
    """VM -> the fleet's wishes 2025-07 cannot grant (as assertions name them)."""
    if generation == "current":
        return {}
    found: dict[str, list[str]] = {}
    for vm in compile_dir(fleet_dir).fleet.vms:
        wishes = [s.source for s in vm.shares if s.read_only]
        if vm.hypervisor not in OLDEST["hypervisors"]:
            wishes.append(vm.hypervisor)
        if wishes:
            found[vm.name] = wishes
    return found


@pytest.mark.parametrize("generation", GENERATIONS)
def test_trees_evaluate_or_fail_closed(
    generation: str, reports: dict, staged_trees: dict
) -> None:
    by_tree = reports[generation]
    for name, configurations in by_tree.items():
        fleet = compile_dir(staged_trees[name][0]).fleet
        expected = expected_failures(staged_trees[name][0], generation)
        hosts_failing = {vm.host for vm in fleet.vms if vm.name in expected}
        for config, report in configurations.items():
            wishes = expected.get(config, [])
            assert len(report["failed"]) == len(wishes), (name, config, report)
            for message, wish in zip(report["failed"], wishes, strict=True):
                assert wish in message and "update the flake's microvm input" in message
            broken = bool(wishes) or config in hosts_failing
            assert (report["derivations"] is None) == broken, (name, config)


def test_both_fail_closed_cases_are_exercised(reports: dict) -> None:
    """The test above is not vacuous: 2025-07 refuses the secrets sample's
    read-only shares and the vfkit VM, and nothing with the current one."""
    failed = {
        generation: {
            (tree, config)
            for tree, configurations in by_tree.items()
            for config, report in configurations.items()
            if report["failed"]
        }
        for generation, by_tree in reports.items()
    }
    assert failed["current"] == set()
    assert {("secrets", "app"), ("vfkit", "dev")} <= failed["legacy"]


def newer_options(current: dict, oldest: dict | None, prefix: str) -> set[str]:
    """Dotted option paths ("*" inside submodules) `current` has and `oldest` lacks."""
    found = set()
    for name, node in current.items():
        path = f"{prefix}{name}"
        before = None if oldest is None else oldest.get(name)
        if not is_declaration(node):
            found |= newer_options(node, before, path + ".")
            continue
        if before is None:
            found.add(path)
        inner = submodule(node)
        if inner is not None:
            old_inner = None if before is None else submodule(before)
            found |= newer_options(inner, old_inner, path + ".*.")
    return found


def is_declaration(node: dict) -> bool:
    return isinstance(node.get("type"), dict) and "name" in node["type"]


def type_chain(declaration: dict) -> list[str]:
    kind, names = declaration["type"], []
    while kind["name"] in ("nullOr", "listOf", "attrsOf"):
        names.append(kind["name"])
        kind = kind["elem"]
    return names + [kind["name"]]


def submodule(declaration: dict) -> dict | None:
    kind = declaration["type"]
    while kind["name"] in ("nullOr", "listOf", "attrsOf"):
        kind = kind["elem"]
    return kind.get("options")


NEWER_HYPERVISORS = set(CURRENT["hypervisors"]) - set(OLDEST["hypervisors"])
NEWER = {
    f"microvm.{path}"
    for part in ("microvm_guest_options", "microvm_host_options")
    for path in newer_options(CURRENT[part], OLDEST[part], "")
} | {f"microvm.{hypervisor}" for hypervisor in NEWER_HYPERVISORS}


def declaration_of(path: str) -> dict:
    options = CURRENT["microvm_guest_options"] | CURRENT["microvm_host_options"]
    node = {"microvm": options}
    for name in path.split("."):
        node = node[name]
    return node


def emitted_newer(entry: dict) -> set[str]:
    """The options of one written value (and its hypervisor, as
    microvm.<name>) that 2025-07 lacks. inspect.nix gives a list option's
    elements, and one value per definition of any other option."""
    path, values = entry["path"], entry["value"]
    found = {path}
    for value in values:
        if path == "microvm.hypervisor":
            found.add(f"microvm.{value}")
        found |= inside(path, declaration_of(path), value, elements_listed=True)
    return found & NEWER


def inside(path: str, node: dict, value, elements_listed: bool = False) -> set[str]:
    """Option paths below `path` that `value` writes."""
    if not is_declaration(node):
        return {
            option
            for name, inner in value.items()
            for option in {f"{path}.{name}"}
            | inside(f"{path}.{name}", node[name], inner)
        }
    options = submodule(node)
    if options is None:
        return set()
    if "attrsOf" in type_chain(node):
        elements = list(value.values())
    else:
        elements = [value] if elements_listed else value
    return {
        option
        for element in elements
        for name, inner in element.items()
        for option in {f"{path}.*.{name}"}
        | inside(f"{path}.*.{name}", options[name], inner)
    }


def compat_list(generated: Path) -> str:
    """The `newer` list of a tree's lib/compat.nix ("" without one)."""
    compat = generated / "lib" / "compat.nix"
    if not compat.exists():
        return ""
    text = compat.read_text()
    return text[text.index("newer = [") : text.index("];", text.index("newer = ["))]


# A module passed through lib/compat.nix (from hosts/ or vms/, or from lib/).
COMPAT_CALL = re.compile(r"^import (\.\./lib|\.)/compat\.nix \{$", re.M)


def test_every_newer_option_written_is_guarded(
    reports: dict, staged_trees: dict
) -> None:
    """What fleetc writes is read from the current generation (a list option
    reads back with every file's definitions: a VM's files are judged together,
    and each of them that names the option must pass through compat)."""
    guarded = set()
    for name, configurations in reports["current"].items():
        generated = staged_trees[name][0] / "generated"
        listed = compat_list(generated)
        for report in configurations.values():
            files = [report["file"]] + (
                ["/lib/every-vm.nix"] if report["shared"] else []
            )
            texts = {f: (generated / f.lstrip("/")).read_text() for f in files}
            for entry in report["written"] + report["shared"]:
                for option in emitted_newer(entry):
                    leaf = re.compile(rf"\b{re.escape(option.rsplit('.', 1)[-1])}\b")
                    writers = [f for f in files if leaf.search(texts[f])]
                    assert writers, (name, files, option)
                    for file in writers:
                        assert COMPAT_CALL.search(texts[file]), (name, file, option)
                    guarded.add(option)
                    if option.removeprefix("microvm.") in NEWER_HYPERVISORS:
                        continue  # compat checks the hypervisor itself
                    assert f'"{option}"' in listed, (name, option)
    # The known ones, so that the walk above cannot silently find nothing.
    assert {
        "microvm.machineId",
        "microvm.shares.*.readOnly",
        "microvm.vmHostPackages",
        "microvm.vfkit",
    } <= guarded


def test_trees_cover_every_sample_and_case_with_a_tree() -> None:
    assert len(tree_dirs()) == len(list(SAMPLES.glob("*/generated"))) + len(
        list(CASES.glob("*/expected"))
    )
