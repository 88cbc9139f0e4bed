"""Static systemd-networkd configuration inside a guest, one unit per interface.

Bridge mode follows microvm.nix's doc/src/simple-network.md, routed mode
doc/src/routed-network.md: host routes (/32, /128) with the host's tap
address as an on-link gateway.
"""

from __future__ import annotations

from ..model import Fleet, Interface, Network, Vm
from .common import present, with_prefix

NETWORKD = {("networking", "useNetworkd"): True, ("systemd", "network", "enable"): True}


def guest_network(fleet: Fleet, vm: Vm) -> dict:
    found = dict(NETWORKD)
    for nic in sorted(vm.interfaces, key=lambda i: i.network):
        network = fleet.network(nic.network)
        key = ("systemd", "network", "networks", f"10-{nic.network}")
        found[key] = unit(network, nic)
    return found


def unit(network: Network, nic: Interface) -> dict:
    found: dict = {("matchConfig", "MACAddress"): nic.mac}
    if network.mode == "routed":
        return found | routed(network, nic)
    return found | bridged(network, nic)


def bridged(network: Network, nic: Interface) -> dict:
    families = present_families(network, nic)
    found = {
        "address": [with_prefix(address, cidr) for address, cidr, _ in families],
        "gateway": [gateway for _, _, gateway in families if gateway],
        "dns": list(network.dns),
    }
    found = {key: value for key, value in found.items() if value}
    return found | {("networkConfig", "DHCP"): "no"}


def routed(network: Network, nic: Interface) -> dict:
    families = present_families(network, nic)
    found: dict = {"address": [host_route(a) for a, _, _ in families]}
    routes = [r for _, _, gateway in families if gateway for r in via(gateway)]
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


def via(gateway: str) -> list[dict]:
    """The host's tap address is on the link, and the default route goes through it."""
    default = "::/0" if ":" in gateway else "0.0.0.0/0"
    return [
        {"Destination": host_route(gateway), "GatewayOnLink": True},
        {"Destination": default, "Gateway": gateway, "GatewayOnLink": True},
    ]
