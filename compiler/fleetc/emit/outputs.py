"""outputs.nix: the flake's outputs as a function of its inputs.

One nixosSystem per host and per VM, the runners as packages and Hydra jobs,
the address table (and meta). The generated flake.nix calls it; an embedding
repository's own flake calls it the same way (`import ./<out>/outputs.nix
inputs`), so `self` is whichever flake carries the fleet.

Every module gets `inputs`, `self`, and from lib/roots.nix (emit/roots.py)
`repoRoot` and `fleetRoot`, paths that do not depend on what `self` is.
"""

from __future__ import annotations

from . import nix
from ..core.model import Fleet, Host, Vm
from .common import by_name, modules
from .deploy import deployed_vms
from .deploy import module_path as deploy_module
from .deploy_tools import deploy_outputs
from .meta import has_meta
from .microvm_host import runs_microvm_host
from .overlays import PATH as OVERLAYS
from .templating import render

PATH = "outputs.nix"


def outputs_file(fleet: Fleet, layout) -> str:
    back = layout.fleet_dir_from_output
    return render(
        "outputs.nix.j2",
        layout.source_name,
        configurations=configurations(fleet, back),
        meta=has_meta(fleet),
        packages=packages(fleet),
        hydra_jobs={vm.name: runner(vm) for vm in by_name(fleet.vms)},
        deploy=deploy_attributes(fleet, back),
    )


def deploy_attributes(fleet: Fleet, back: str) -> list[str]:
    """The deploy tool's outputs, each an attribute's text (emit/deploy_tools.py)."""
    if fleet.deploy_tool == "none":
        return []
    modules_of = {h.name: host_modules(fleet, h, back) for h in fleet.hosts}
    found = deploy_outputs(fleet, modules_of)
    return [nix.attribute(key, value, 1) for key, value in found.items()]


def configurations(fleet: Fleet, back: str) -> list[dict]:
    hosts = [host_configuration(fleet, host, back) for host in fleet.hosts]
    vms = [vm_configuration(fleet, vm, back) for vm in fleet.vms]
    return sorted(hosts + vms, key=lambda c: c["key"])


def host_configuration(fleet: Fleet, host: Host, back: str) -> dict:
    return configuration(host.name, host.system, host_modules(fleet, host, back))


def host_modules(fleet: Fleet, host: Host, back: str) -> list:
    """A host's modules, in order: microvm.nix's, fleetc's, then the fleet's."""
    own = [nix.path(f"hosts/{host.name}.nix")] + fleet_own(fleet)
    if runs_microvm_host(fleet, host):
        own.insert(0, nix.Expr("microvm.nixosModules.host"))
    if deployed_vms(fleet, host):
        own.append(nix.path(deploy_module(host)))
    return own + modules(fleet.modules + fleet.host_modules + host.modules, back)


def vm_configuration(fleet: Fleet, vm: Vm, back: str) -> dict:
    own = [nix.Expr("microvm.nixosModules.microvm"), nix.path(f"vms/{vm.name}.nix")]
    own += fleet_own(fleet)
    shared = modules(fleet.modules + fleet.vm_modules + vm.modules, back)
    return configuration(vm.name, vm.system, own + shared)


def fleet_own(fleet: Fleet) -> list:
    """Generated modules every host and VM imports: the overlays, if any."""
    return [nix.path(OVERLAYS)] if fleet.overlays else []


def configuration(name: str, system: str, module_list: list) -> dict:
    return {
        "key": name,
        "name": nix.attr_name(name),
        "system": system,
        "modules": module_list,
    }


def packages(fleet: Fleet) -> dict:
    by_system: dict[str, dict] = {}
    for vm in by_name(fleet.vms):
        by_system.setdefault(vm.system, {})[vm.name] = runner(vm)
    return dict(sorted(by_system.items()))


def runner(vm: Vm) -> nix.Expr:
    names = ("self", "nixosConfigurations", vm.name, "config", "microvm")
    return nix.Expr(nix.attr_path(*names, "declaredRunner"))
