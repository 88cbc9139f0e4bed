"""Interface ids, the tap (or macvtap) names on the host (F401..F403).

microvm.nix checks length and uniqueness inside one VM only; two VMs on one host
with the same id would fight over one host interface.
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Interface, Vm
from .common import owner_name, vm_interfaces
from ..core.formats import IFNAMSIZ, LEGAL
from .ifnames import LEGAL_HELP, host_namespace, is_legal

# The rules live with the other host interface names; allocation and the lock
# read them from here.
__all__ = ["IFNAMSIZ", "LEGAL", "check_tap_ids", "check_unique_tap_ids"]


def check_tap_ids(fleet: Fleet) -> Iterator[Diagnostic]:
    for _, interface in vm_interfaces(fleet):
        if interface.id is not None:
            yield from _tap_id(interface, interface.id)


def _tap_id(interface: Interface, tap: str) -> Iterator[Diagnostic]:
    span = interface.at("id")
    if not is_legal(tap):
        yield error("F402", f"illegal interface name `{tap}`", span, help=LEGAL_HELP)
    size = len(tap.encode())
    if size >= IFNAMSIZ:
        message = f"tap id `{tap}` is {size} bytes; Linux allows at most {IFNAMSIZ - 1}"
        yield error("F401", message, span, help="shorten it, e.g. `vm-<short name>`")


def check_unique_tap_ids(fleet: Fleet) -> Iterator[Diagnostic]:
    seen = host_namespace(fleet)
    for vm, interface in vm_interfaces(fleet):
        if interface.id is None:
            continue
        key, who = _scope(vm, interface), owner_name(vm)
        if label := seen.claim_at(key, who, interface, "id"):
            message = f"duplicate tap id `{interface.id}` on host `{vm.host}`"
            yield error("F403", message, interface.at("id"), label=label)


def _scope(vm: Vm, interface: Interface) -> tuple[str, str, str]:
    """User-mode interfaces exist only inside their hypervisor, not on the host."""
    if interface.type == "user":
        return ("vm", vm.name, interface.id)
    return ("host", vm.host, interface.id)
