"""Interface ids, the tap (or macvtap) names on the host (F401..F403).

microvm.nix checks length and uniqueness inside one VM only; two VMs on one host
with the same id would fight over one host interface.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Fleet, Interface, Vm
from .common import FirstSeen, owner_name, vm_interfaces

IFNAMSIZ = 16  # Linux's limit, including the terminating NUL
LEGAL = re.compile(r"[A-Za-z0-9_.-]+")
LEGAL_HELP = "use letters, digits, `_`, `-` and `.` (not just `.` or `..`)"


def check_tap_ids(fleet: Fleet) -> Iterator[Diagnostic]:
    for _, interface in vm_interfaces(fleet):
        if interface.id is not None:
            yield from _tap_id(interface, interface.id)


def _tap_id(interface: Interface, tap: str) -> Iterator[Diagnostic]:
    span = interface.at("id")
    if not LEGAL.fullmatch(tap) or tap in (".", ".."):
        yield error("F402", f"illegal interface name `{tap}`", span, help=LEGAL_HELP)
    size = len(tap.encode())
    if size >= IFNAMSIZ:
        message = f"tap id `{tap}` is {size} bytes; Linux allows at most {IFNAMSIZ - 1}"
        yield error("F401", message, span, help="shorten it, e.g. `vm-<short name>`")


def check_unique_tap_ids(fleet: Fleet) -> Iterator[Diagnostic]:
    seen = _host_interfaces(fleet)
    for vm, interface in vm_interfaces(fleet):
        if interface.id is None:
            continue
        span = interface.at("id")
        if label := seen.claim(_scope(vm, interface), owner_name(vm), span):
            message = f"duplicate tap id `{interface.id}` on host `{vm.host}`"
            yield error("F403", message, span, label=label)


def _scope(vm: Vm, interface: Interface) -> tuple[str, str, str]:
    """User-mode interfaces exist only inside their hypervisor, not on the host."""
    if interface.type == "user":
        return ("vm", vm.name, interface.id)
    return ("host", vm.host, interface.id)


def _host_interfaces(fleet: Fleet) -> FirstSeen:
    """A host's uplink and bridges are named before any VM's tap."""
    seen = FirstSeen()
    for host in fleet.hosts:
        if host.uplink:
            uplink = f"the uplink of host `{host.name}`"
            seen.reserve(("host", host.name, host.uplink), uplink, host.at("uplink"))
    for vm, interface in vm_interfaces(fleet):
        net = fleet.network(interface.network)
        if net is not None and net.mode == "bridge" and net.bridge:
            bridge = f"the bridge of network `{net.name}`"
            seen.reserve(("host", vm.host, net.bridge), bridge, net.at("bridge"))
    return seen
