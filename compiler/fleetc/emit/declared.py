"""VMs the host builds itself: `declare = "config"` (microvm.nix's fully
declarative MicroVMs, doc/src/declarative.md).

The host declares `microvm.vms.<vm>.config`: the VM's own modules, the same
list its nixosConfiguration in flake.nix has but for microvm.nix's guest
module, which the host module adds itself. microvm.nix evaluates them with
the host's nixpkgs (its own package set where the fleet has overlays, which
a package set made elsewhere would not take), puts the runner into the
host's closure, and with `restartIfChanged` restarts the VM when a switch
changes it. No flake, no updateFlake: microvm.nix refuses either beside
`config`, and `microvm -u` has nothing to update.
"""

from __future__ import annotations

import posixpath

from . import nix
from ..core.model import Fleet, Vm
from .common import modules
from .overlays import PATH as OVERLAYS

CONFIG_WHY = "built with this host from the VM's modules; a switch restarts it"
# The module arguments every configuration of the flake gets (flake.nix).
SPECIAL_ARGS = "{ inherit inputs self repoRoot fleetRoot; }"


def config_declaration(fleet: Fleet, vm: Vm, back: str) -> dict:
    """`back`: from the output directory to the fleet file's directory."""
    found: dict = {
        "config": nix.Commented({"imports": vm_modules(fleet, vm, back)}, CONFIG_WHY),
        "specialArgs": nix.Expr(SPECIAL_ARGS),
        "restartIfChanged": True,
    }
    if fleet.overlays:
        found["pkgs"] = None  # a package set of its own, taking nixpkgs.overlays
    return found


def vm_modules(fleet: Fleet, vm: Vm, back: str) -> list:
    """As flake.nix lists them for nixosConfigurations.<vm>, from hosts/."""
    own = [nix.path(f"../vms/{vm.name}.nix")]
    if fleet.overlays:
        own.append(nix.path(f"../{OVERLAYS}"))
    shared = fleet.modules + fleet.vm_modules + vm.modules
    return own + modules(shared, posixpath.join("..", back))


def builds_any(fleet: Fleet, vms: list[Vm]) -> bool:
    """The host module then takes repoRoot and fleetRoot, to pass them on."""
    return any(
        vm.declare == "config" and not fleet.deployed_imperatively(vm) for vm in vms
    )
