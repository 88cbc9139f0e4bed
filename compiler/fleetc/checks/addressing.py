"""How guests get their addresses: `[networks.<n>] addressing` (F218, F219).

Where the network assigns a family (DHCP, router advertisements, or the
fleet's own modules), fleetc writes and allocates none of it, so an address
written on a VM's interface would never reach the VM.
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Interface, Network, Vm
from ..core import inet
from .common import vm_interfaces
from .index import index_of

ASSIGNED_BY = {
    "dhcp": "DHCP and router advertisements",
    "slaac": "router advertisements (SLAAC)",
    "none": "the fleet's own modules",
}


def check_assigned_addresses(fleet: Fleet) -> Iterator[Diagnostic]:
    networks = index_of(fleet).networks
    for vm, interface in vm_interfaces(fleet):
        network = networks.get(interface.network)
        if network is not None and network.addressing != "static":
            yield from _written(vm, interface, network)


def _written(vm: Vm, interface: Interface, network: Network) -> Iterator[Diagnostic]:
    for field, _, version in inet.FAMILIES:
        if isinstance(getattr(interface, field), str) and not network.static(version):
            yield _assigned(vm, interface, network, field)


def _assigned(vm: Vm, nic: Interface, network: Network, field: str) -> Diagnostic:
    mode = network.addressing
    message = (
        f"vm `{vm.name}` has an {field} address on network `{network.name}`,"
        f' whose addresses come from {ASSIGNED_BY[mode]} (addressing = "{mode}")'
    )
    help = f'remove {field}, or set addressing = "static" on [networks.{network.name}]'
    return error("F218", message, nic.at(field), help=help)


def check_routed_addressing(fleet: Fleet) -> Iterator[Diagnostic]:
    """The host routes each VM's own address on a routed network: it must be known."""
    for network in fleet.networks:
        if network.mode == "routed" and network.addressing != "static":
            message = (
                f"routed network `{network.name}` cannot have addressing ="
                f' "{network.addressing}": the host routes each VM\'s own address'
            )
            help = 'use mode = "bridge", or leave addressing out (static)'
            yield error("F219", message, network.at("addressing"), help=help)
