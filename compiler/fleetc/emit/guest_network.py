"""Static systemd-networkd configuration inside a guest, one unit per interface.

Bridge mode follows microvm.nix's doc/src/simple-network.md, routed mode
doc/src/routed-network.md: host routes (/32, /128) with the host's tap
address as an on-link gateway.

An IPv6 `gateway4` (RFC 8950, e.g. `fe80::1`) cannot go into networkd's
`Gateway=` list, which would make it an IPv6 default route: it becomes a
[Route] with `Destination=0.0.0.0/0`, which networkd installs as an IPv4
route via an IPv6 next hop (RTA_VIA).

A network's `addressing` decides what the unit asks of the network: "dhcp"
networkd's DHCP client (DHCPv6 too, when router advertisements say so) and
router advertisements; "slaac" the static IPv4 side plus router
advertisements for IPv6; "none" no unit at all (the fleet's own modules).
"""

from __future__ import annotations

from ..core.model import Fleet, Interface, Network, Vm
from .common import by_network, present, with_prefix

NETWORKD = {("networking", "useNetworkd"): True, ("systemd", "network", "enable"): True}


def guest_network(fleet: Fleet, vm: Vm) -> dict:
    configured = [
        (nic, network)
        for nic in by_network(vm.interfaces)
        if (network := fleet.network(nic.network)).addressing != "none"
    ]
    if vm.interfaces and not configured:
        return {}  # every interface is the fleet's own modules' to configure
    found = dict(NETWORKD)
    for nic, network in configured:
        key = ("systemd", "network", "networks", f"10-{nic.network}")
        found[key] = unit(network, nic)
    return found


def unit(network: Network, nic: Interface) -> dict:
    found: dict = {("matchConfig", "MACAddress"): nic.mac}
    if network.mode == "routed":
        return found | routed(network, nic)
    if network.addressing == "dhcp":
        return found | from_dhcp(network)
    if network.addressing == "slaac":
        return found | bridged(network, nic) | ACCEPT_RA
    return found | bridged(network, nic)


ACCEPT_RA = {("networkConfig", "IPv6AcceptRA"): True}


def from_dhcp(network: Network) -> dict:
    """Addresses, routes (and DNS, unless the fleet names it) from the network."""
    found = {"dns": list(network.dns)} if network.dns else {}
    return found | {("networkConfig", "DHCP"): "yes"} | ACCEPT_RA


def bridged(network: Network, nic: Interface) -> dict:
    families = present_families(network, nic)
    gateways = [(gw, cidr) for _, cidr, gw in families if gw]
    found = {
        "address": [with_prefix(address, cidr) for address, cidr, _ in families],
        "gateway": [gw for gw, cidr in gateways if not crosses_family(gw, cidr)],
        "routes": [
            default_via(gw) for gw, cidr in gateways if crosses_family(gw, cidr)
        ],
        "dns": list(network.dns),
    }
    found = {key: value for key, value in found.items() if value}
    return found | {("networkConfig", "DHCP"): "no"}


def routed(network: Network, nic: Interface) -> dict:
    families = present_families(network, nic)
    found: dict = {"address": [host_route(a) for a, _, _ in families]}
    routes = unique([r for _, cidr, gw in families if gw for r in via(gw, cidr)])
    if routes:
        found["routes"] = routes
    if network.dns:
        found[("networkConfig", "DNS")] = list(network.dns)
    return {key: value for key, value in found.items() if value}


def present_families(network: Network, nic: Interface) -> list[tuple]:
    """(address, network cidr, gateway) for each family this interface has."""
    pairs = [
        (nic.ipv4, network.ipv4, network.gateway4),
        (nic.ipv6, network.ipv6, network.gateway6),
    ]
    return [(a, cidr, gw) for a, cidr, gw in pairs if present(a) and cidr]


def host_route(address: str) -> str:
    return f"{address}/128" if ":" in address else f"{address}/32"


def unique(routes: list[dict]) -> list[dict]:
    """Both families through one next hop (fe80::1) need its host route once."""
    found: list[dict] = []
    for route in routes:
        if route not in found:
            found.append(route)
    return found


def crosses_family(gateway: str, cidr: str) -> bool:
    """An IPv6 next hop for the IPv4 network `cidr` (RFC 8950)."""
    return ":" in gateway and ":" not in cidr


def default_route(cidr: str) -> str:
    return "::/0" if ":" in cidr else "0.0.0.0/0"


def default_via(gateway: str) -> dict:
    """IPv4's default route through an IPv6 neighbour (link-local: on the link)."""
    return {"Destination": "0.0.0.0/0", "Gateway": gateway}


def via(gateway: str, cidr: str) -> list[dict]:
    """The host's tap address is on the link, and the default route goes through it."""
    default = default_route(cidr)
    return [
        {"Destination": host_route(gateway), "GatewayOnLink": True},
        {"Destination": default, "Gateway": gateway, "GatewayOnLink": True},
    ]
