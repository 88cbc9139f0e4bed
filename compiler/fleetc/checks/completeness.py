"""Values the contract calls "allocated" (F114, F209, F305, F404).

fleetc fills them in itself (allocate/) and pins them in fleet.lock. These
checks run after allocation, on a fleet allocation reported no error for
(core/pipeline.py): what is still missing then was neither written nor locked
nor allocated, and a model built in code without allocation is told so too.
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Interface, Network
from ..core import inet
from .common import vm_interfaces
from .index import index_of

HELP = "write one, or run `fleetc generate` to have one allocated and locked"


def check_machine_ids_present(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        if vm.machine_id is None:
            message = f"vm `{vm.name}` needs a machine_id"
            yield error("F114", message, vm.at("machine_id"), help=HELP)


def check_macs_present(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm, interface in vm_interfaces(fleet):
        if interface.mac is None:
            message = (
                f"interface of vm `{vm.name}` on `{interface.network}` needs a mac"
            )
            yield error("F305", message, interface.at("mac"), help=HELP)


def check_tap_ids_present(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm, interface in vm_interfaces(fleet):
        if interface.id is None:
            message = (
                f"interface of vm `{vm.name}` on `{interface.network}` needs an id"
            )
            yield error("F404", message, interface.at("id"), help=HELP)


def check_addresses_present(fleet: Fleet) -> Iterator[Diagnostic]:
    """Only where the network has that family and the VM did not opt out (false)."""
    networks = index_of(fleet).networks
    for vm, interface in vm_interfaces(fleet):
        net = networks.get(interface.network)
        if net is not None:
            yield from _missing_addresses(vm.name, interface, net)


def _missing_addresses(
    vm: str, interface: Interface, net: Network
) -> Iterator[Diagnostic]:
    for field, _, version in inet.FAMILIES:
        wanted = getattr(net, field) is not None and net.static(version)
        if wanted and getattr(interface, field) is None:
            family = inet.LABEL[version]
            message = (
                f"interface of vm `{vm}` on `{net.name}` needs an {family} address"
                f" (or {field} = false for none)"
            )
            yield error("F209", message, interface.at(field), help=HELP)
