"""What a VM's network reaches beyond its host (F217, F223): warnings, for the
fleet may mean it (and can say so with `allow`), but never silently.

A host puts its uplink (or bond) on its bridges as emit/host_network.py does:
each network with a `vlan` gets `<uplink>.<vlan>`, the first untagged bridge
network (by name) without a router the uplink itself. A bridge without either
connects the host's VMs to each other and to the host, and to nothing else
(F217), unless the network has a `router`: that host routes it out, through
NAT (emit/router.py), and its VMs are on no other host (F222).

A routed network gives each VM a host route (microvm.nix's routed-network
page); fleetc writes no NAT, so the VMs' own addresses leave the host, and
only a route upstream or a host module's networking.nat makes that work
(F223): fleetc can see neither.
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, warning
from ..core.model import Fleet, Host, Network
from .index import BRIDGED_TYPES, index_of


def check_isolated_bridges(fleet: Fleet) -> Iterator[Diagnostic]:
    if fleet.network_stack != "networkd":  # the fleet writes the host's network
        return
    for host in fleet.hosts:
        isolated = _without_uplink(fleet, host)
        if not isolated:
            continue
        for vm in fleet.vms_on(host.name):
            for interface in vm.interfaces:
                if interface.network in isolated and interface.type in BRIDGED_TYPES:
                    yield _isolated(host, vm.name, interface)


def _without_uplink(fleet: Fleet, host: Host) -> set[str]:
    """The host's bridge networks that neither its uplink nor a router
    takes beyond it."""
    used = sorted(_bridges_used(fleet, host), key=lambda n: n.name)
    bridges = [n for n in used if n.router is None]
    if host.uplink_name is None:
        return {n.name for n in bridges}
    untagged = [n.name for n in bridges if n.vlan is None]
    return set(untagged[1:])


def _bridges_used(fleet: Fleet, host: Host) -> Iterator[Network]:
    index = index_of(fleet)
    used = {iface.network for iface in host.interfaces}
    used |= index.vm_bridged_networks.get(host.name, frozenset())
    for name in used:
        network = index.networks.get(name)
        if network is not None and network.mode == "bridge":
            yield network


def _isolated(host: Host, vm: str, interface) -> Diagnostic:
    network = interface.network
    if host.uplink_name is None:
        why = f"host `{host.name}` has no uplink"
        help = f"set uplink (or bond) on [hosts.{host.name}]"
    else:
        why = (
            f"`{host.uplink_name}` of host `{host.name}` is on another untagged network"
        )
        help = f"give [networks.{network}] a vlan"
    message = (
        f"vm `{vm}` is on network `{network}`, but {why}: the bridge joins only"
        f" `{host.name}` and its VMs"
    )
    help += ', or if the network is meant to stay on the host, allow = ["F217"]'
    return warning("F217", message, interface.at("network"), help=help)


def check_routed_without_nat(fleet: Fleet) -> Iterator[Diagnostic]:
    routed = [n for n in fleet.networks if n.mode == "routed"]
    used = _networks_with_vms(fleet) if routed else set()
    for network in routed:
        if network.name in used:
            message = (
                f"routed network `{network.name}`: fleetc writes no NAT, so its"
                " VMs' addresses leave their hosts as they are"
            )
            help = (
                "route the network to each host upstream, or set networking.nat"
                ' in a host module; then allow = ["F223"] in [fleet]'
            )
            yield warning("F223", message, network.at("mode"), help=help)


def _networks_with_vms(fleet: Fleet) -> set[str]:
    return {i.network for vm in fleet.vms for i in vm.interfaces}
