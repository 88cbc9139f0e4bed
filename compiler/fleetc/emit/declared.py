"""VMs the host builds itself: `declare = "config"` (microvm.nix's fully
declarative MicroVMs, doc/src/declarative.md).

The host declares `microvm.vms.<vm>.config`: the VM's module (vms/<vm>.nix,
which imports the VM's other modules), as its nixosConfiguration in
outputs.nix has it but for microvm.nix's guest module, which the host module
adds itself. microvm.nix evaluates them with
the host's nixpkgs (its own package set where the fleet has overlays, which
a package set made elsewhere would not take), puts the runner into the
host's closure, and with `restartIfChanged` restarts the VM when a switch
changes it. No flake, no updateFlake: microvm.nix refuses either beside
`config`, and `microvm -u` has nothing to update.
"""

from __future__ import annotations

from . import nix
from ..core.model import Fleet, Vm
from .guest import EVERY_VM, every_vm

CONFIG_WHY = (
    "a VM with `config` is built with this host from its module (and what\n"
    "that imports); a switch restarts it"
)
# The module arguments every configuration of the flake gets (outputs.nix).
SPECIAL_ARGS = "{ inherit inputs self repoRoot fleetRoot; }"


def config_declaration(fleet: Fleet, vm: Vm) -> dict:
    """As outputs.nix's nixosConfigurations.<vm> has them, from hosts/."""
    shared = [nix.path(f"../{EVERY_VM}")] if every_vm(fleet) else []
    found: dict = {
        "config": {"imports": shared + [nix.path(f"../vms/{vm.name}.nix")]},
        "specialArgs": nix.Expr(SPECIAL_ARGS),
        "restartIfChanged": True,
    }
    if fleet.overlays:
        found["pkgs"] = None  # a package set of its own, taking nixpkgs.overlays
    return found


def builds_any(fleet: Fleet, vms: list[Vm]) -> bool:
    """Whether the host declares some VM with `config`."""
    return any(
        vm.declare == "config" and not fleet.deployed_imperatively(vm) for vm in vms
    )
