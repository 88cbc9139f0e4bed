"""Which hosts import microvm.nix's host module: a host of the flake may run no
MicroVMs (a router, a monitor), and then gets none of microvm.nix, unless the
fleet sets `microvm_host = true` (e.g. for VMs deployed later, imperatively)."""

from __future__ import annotations

from ..core.model import Fleet, Host


def runs_microvm_host(fleet: Fleet, host: Host) -> bool:
    if host.microvm_host is not None:
        return host.microvm_host
    return bool(fleet.vms_on(host.name))
