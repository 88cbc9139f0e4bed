"""Hosts that route their network: `[networks.<n>] router = "<host>"`
(F006, F220..F222).

The router holds the network's gateways on its own bridge, so the network is
that host's: a VM on it placed on another host, or another host's interface
on it, would sit on a bridge of the same name that reaches no gateway.
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Network
from ..core import inet
from .common import Suggester, interfaces, owner_name
from .references import unknown


def routed_by(fleet: Fleet) -> Iterator[Network]:
    """Networks with a router that the fleet declares."""
    return (n for n in fleet.networks if n.router and fleet.host(n.router))


def check_router_hosts(fleet: Fleet) -> Iterator[Diagnostic]:
    suggest = Suggester(host.name for host in fleet.hosts)
    for network in fleet.networks:
        if network.router is not None and fleet.host(network.router) is None:
            name = network.router
            help = suggest(name) or f"declare it as [hosts.{name}]"
            yield unknown("host", name, network, "router", help)


def check_router_mode(fleet: Fleet) -> Iterator[Diagnostic]:
    for network in fleet.networks:
        if network.router is not None and network.mode == "routed":
            message = (
                f"routed network `{network.name}` cannot name a router: its host"
                " already routes every VM's tap"
            )
            help = 'leave router out, or use mode = "bridge"'
            yield error("F220", message, network.at("router"), help=help)


def check_router_gateways(fleet: Fleet) -> Iterator[Diagnostic]:
    """The router holds the gateway of every family the network has."""
    for network in fleet.networks:
        if network.router is None:
            continue
        for prefix_field, gateway_field, _ in inet.FAMILIES:
            if getattr(network, prefix_field) and not getattr(network, gateway_field):
                message = (
                    f"network `{network.name}` has {prefix_field} but no"
                    f" {gateway_field} for its router `{network.router}` to hold"
                )
                help = (
                    f"set {gateway_field}, the address the router takes on the bridge"
                )
                yield error("F221", message, network.at("router"), help=help)


def check_router_placement(fleet: Fleet) -> Iterator[Diagnostic]:
    routers = {network.name: network.router for network in routed_by(fleet)}
    if not routers:
        return
    for owner, interface in interfaces(fleet):
        router = routers.get(interface.network)
        where = getattr(owner, "host", owner.name)
        if router is not None and where != router:
            yield _elsewhere(owner_name(owner), where, interface, router)


def _elsewhere(who: str, where: str, interface, router: str) -> Diagnostic:
    network = interface.network
    message = (
        f"{who} is on network `{network}` on host `{where}`, but `{network}`"
        f" is routed by `{router}` on its own bridge"
    )
    help = f"place it on `{router}`, or use another network on `{where}`"
    return error("F222", message, interface.at("network"), help=help)
