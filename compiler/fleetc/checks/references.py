"""Names that refer to something declared elsewhere in the fleet (F006)."""

from __future__ import annotations

from typing import Iterable, Iterator

from ..core import flake_inputs
from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, ModuleRef, Node
from .common import Suggester, element_span, interfaces, machines
from .index import index_of


def check_vm_hosts(fleet: Fleet) -> Iterator[Diagnostic]:
    suggest, hosts = Suggester(host.name for host in fleet.hosts), index_of(fleet).hosts
    for vm in fleet.vms:
        if vm.host not in hosts:
            help = suggest(vm.host) or f"declare it as [hosts.{vm.host}]"
            yield unknown("host", vm.host, vm, "host", help)


def check_interface_networks(fleet: Fleet) -> Iterator[Diagnostic]:
    suggest = Suggester(network.name for network in fleet.networks)
    networks = index_of(fleet).networks
    for _, interface in interfaces(fleet):
        name = interface.network
        if name not in networks:
            help = suggest(name) or f"declare it as [networks.{name}]"
            yield unknown("network", name, interface, "network", help)


def check_module_inputs(fleet: Fleet) -> Iterator[Diagnostic]:
    declared = list(flake_inputs.urls(fleet))
    known, suggest = set(declared), Suggester(declared)
    for owner, field, index, module in index_of(fleet).once(module_refs):
        if module.is_input and module.input_name not in known:
            yield unknown_input(owner, field, index, module, suggest)


def unknown_input(
    owner: Node, field: str, index: int, module: ModuleRef, suggest: Suggester
) -> Diagnostic:
    name = module.input_name
    help = suggest(name) or f"declare it as [fleet.inputs.{name}]"
    if not name:
        help = (
            "write `inputs.<input>.<attribute>`, e.g. `inputs.disko.nixosModules.disko`"
        )
    message = f"module `{module.text}` names an unknown flake input `{name}`"
    return error("F006", message, element_span(owner, field, index, module), help=help)


def module_refs(fleet: Fleet) -> Iterator[tuple[Node, str, int, ModuleRef]]:
    """Every module reference with the node and list field that holds it."""
    yield from _listed(fleet, "modules", fleet.modules)
    yield from _listed(fleet, "vm_modules", fleet.vm_modules)
    yield from _listed(fleet, "host_modules", fleet.host_modules)
    yield from _listed(fleet, "overlays", fleet.overlays)
    for machine in machines(fleet):
        if machine.modules:
            yield from _listed(machine, "modules", machine.modules)


def _listed(
    owner: Node, field: str, modules: Iterable[ModuleRef]
) -> Iterator[tuple[Node, str, int, ModuleRef]]:
    for index, module in enumerate(modules):
        yield owner, field, index, module


def unknown(kind: str, name: str, node: Node, field: str, help: str) -> Diagnostic:
    return error("F006", f"unknown {kind} `{name}`", node.at(field), help=help)
