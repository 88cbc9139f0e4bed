"""outputs.nix: the flake's outputs as a function of its inputs.

One nixosSystem per host and per VM, the runners as packages and Hydra jobs,
the address table (and meta). The generated flake.nix calls it; an embedding
repository's own flake calls it the same way (`import ./<out>/outputs.nix
inputs`), so `self` is whichever flake carries the fleet.

Each configuration is one module, hosts/<name>.nix or vms/<name>.nix, which
imports the rest, so outputs.nix names hosts and VMs only: evaluating one host
of a large fleet reads this short file, not every configuration's modules.
Every module gets `inputs`, `self`, and from lib/roots.nix (emit/roots.py)
`repoRoot` and `fleetRoot`, paths that do not depend on what `self` is.
"""

from __future__ import annotations

from . import nix
from ..core.model import Fleet
from .common import by_name
from .deploy_tools import deploy_outputs
from .guest import every_vm
from .meta import has_meta
from .templating import render

PATH = "outputs.nix"


def outputs_file(fleet: Fleet, layout) -> str:
    return render(
        "outputs.nix.j2",
        layout.source_name,
        hosts=[host.name for host in by_name(fleet.hosts)],
        vms=[vm.name for vm in by_name(fleet.vms)],
        systems=other_systems(fleet),
        system=fleet.system,
        meta=has_meta(fleet),
        every_vm=bool(every_vm(fleet)),
        packages=packages(fleet),
        deploy=deploy_attributes(fleet),
    )


def other_systems(fleet: Fleet) -> dict[str, str]:
    """Hosts and VMs whose system is not the fleet's, by name."""
    found = by_name(fleet.hosts) + by_name(fleet.vms)
    return {m.name: m.system for m in found if m.system != fleet.system}


def deploy_attributes(fleet: Fleet) -> list[str]:
    """The deploy tool's outputs, each an attribute's text (emit/deploy_tools.py)."""
    if fleet.deploy_tool == "none":
        return []
    modules_of = {h.name: [nix.path(f"hosts/{h.name}.nix")] for h in fleet.hosts}
    found = deploy_outputs(fleet, modules_of)
    return [nix.attribute(key, value, 1) for key, value in found.items()]


def packages(fleet: Fleet) -> dict:
    """packages.<system>: the runners of the VMs of that system."""
    systems = sorted({vm.system for vm in fleet.vms})
    if len(systems) == 1:
        return {systems[0]: nix.Expr("lib.genAttrs vms runner")}
    return {
        system: nix.Expr(
            "lib.genAttrs (builtins.filter (name: system name == "
            f"{nix.string(system)}) vms) runner"
        )
        for system in systems
    }
