"""The host's systemd-networkd units: bridges (doc/src/simple-network.md) and
routed taps (doc/src/routed-network.md). Unit names are stable and sorted.

A host has one uplink: `uplink`, or a `bond` of several ports (emit/bonds.py).
A network with `vlan` gets the VLAN `<uplink>.<vlan>` on its bridge; the first
untagged bridge network (by name) that no host routes gets the uplink itself.
A network this host routes (`router`) gets its bridge here, VMs or not, and
its unit from emit/router.py.
"""

from __future__ import annotations

from dataclasses import replace

from ..checks.gateways import held_gateways
from ..core.model import Fleet, Host, HostInterface, Interface, Network, Vm
from . import router
from .bonds import bond_units
from .common import bridge_name, present
from .guest_network import NETWORKD, bridged, host_route

BRIDGED_TYPES = ("tap", "bridge")


def host_network(fleet: Fleet, host: Host, vms: list[Vm]) -> dict:
    attached = attachments(vms)
    bridges = bridge_networks(fleet, host, attached)
    ports = uplink_ports(host, bridges)
    netdevs, networks = uplink_units(host, bridges, ports)
    bond_units(host, netdevs, networks)
    for network in bridges:
        taps = tap_names(attached.get(network.name, ()))
        port = bridge_port(host, ports, network)
        add_bridge(netdevs, networks, (fleet, host), network, port, taps)
    for network in routed_networks(fleet, attached):
        networks |= routed_taps(network, attached[network.name])
    found = dict(NETWORKD) | router.nat(fleet, host, external(host, bridges, ports))
    if netdevs:
        found[("systemd", "network", "netdevs")] = dict(sorted(netdevs.items()))
    if networks:
        found[("systemd", "network", "networks")] = dict(sorted(networks.items()))
    return found


def attachments(vms: list[Vm]) -> dict[str, list[Interface]]:
    """network name -> this host's VM interfaces on it, in VM name order."""
    found: dict[str, list[Interface]] = {}
    for vm in vms:
        for nic in vm.interfaces:
            found.setdefault(nic.network, []).append(nic)
    return found


def bridge_networks(fleet: Fleet, host: Host, attached: dict) -> list[Network]:
    used = {name for name, nics in attached.items() if tap_names(nics, BRIDGED_TYPES)}
    used |= {iface.network for iface in host.interfaces}
    used |= {n.name for n in fleet.networks if router.routes(host, n)}
    networks = [fleet.network(name) for name in sorted(used)]
    return [n for n in networks if n is not None and n.mode == "bridge"]


def routed_networks(fleet: Fleet, attached: dict) -> list[Network]:
    networks = [fleet.network(name) for name in sorted(attached)]
    return [n for n in networks if n is not None and n.mode == "routed"]


def tap_names(nics, types: tuple[str, ...] = ("tap",)) -> list[str]:
    return sorted(nic.id for nic in nics if nic.type in types)


def uplink_ports(host: Host, bridges: list[Network]) -> dict[str, str]:
    """network name -> the uplink-side port of its bridge on this host."""
    if host.uplink_name is None:
        return {}
    tagged = {
        n.name: vlan_name(host.uplink_name, n) for n in bridges if n.vlan is not None
    }
    untagged = [n.name for n in bridges if n.vlan is None and n.router is None][:1]
    return tagged | {name: host.uplink_name for name in untagged}


def external(host: Host, bridges: list[Network], ports: dict) -> str | None:
    """Where the host's traffic leaves: the bridge holding its untagged
    uplink, else the uplink itself (None: no uplink)."""
    outside = [n for n in bridges if ports.get(n.name) == host.uplink_name]
    return bridge_name(outside[0]) if outside else host.uplink_name


def vlan_name(uplink: str, network: Network) -> str:
    return f"{uplink}.{network.vlan}"


def bridge_port(host: Host, ports: dict[str, str], network: Network) -> str | None:
    """The uplink leaves the bridge's port list when it carries VLANs: one link
    matches one .network file, so its own unit then names the bridge."""
    port = ports.get(network.name)
    carries_vlans = any(p != host.uplink_name for p in ports.values())
    return None if port == host.uplink_name and carries_vlans else port


def uplink_units(host: Host, bridges: list[Network], ports: dict) -> tuple[dict, dict]:
    tagged = [n for n in bridges if n.vlan is not None and n.name in ports]
    if not tagged:
        return {}, {}
    netdevs = {f"20-{ports[n.name]}": vlan_netdev(ports[n.name], n) for n in tagged}
    carrier: dict = {
        ("matchConfig", "Name"): host.uplink_name,
        ("networkConfig", "VLAN"): sorted(ports[n.name] for n in tagged),
    }
    untagged = [
        bridge_name(n) for n in bridges if ports.get(n.name) == host.uplink_name
    ]
    if untagged:
        carrier[("networkConfig", "Bridge")] = untagged[0]
    return netdevs, {f"10-{host.uplink_name}": carrier}


def vlan_netdev(name: str, network: Network) -> dict:
    return {
        "netdevConfig": {"Name": name, "Kind": "vlan"},
        ("vlanConfig", "Id"): network.vlan,
    }


def add_bridge(netdevs, networks, where: tuple[Fleet, Host], network, port, taps):
    fleet, host = where
    name = bridge_name(network)
    netdevs[f"20-{name}"] = {"netdevConfig": {"Name": name, "Kind": "bridge"}}
    if router.routes(host, network):
        networks[f"20-{name}"] = router.router_unit(fleet, host, network)
    else:
        networks[f"20-{name}"] = bridge_unit(host, network, name)
    members = ([port] if port else []) + taps
    if members:
        networks[f"30-{name}-ports"] = {
            ("matchConfig", "Name"): members,
            ("networkConfig", "Bridge"): name,
        }


def bridge_unit(host: Host, network: Network, name: str) -> dict:
    """The bridge carries the host's own addresses on the network, if it has any."""
    found: dict = {("matchConfig", "Name"): name}
    own = [iface for iface in host.interfaces if iface.network == network.name]
    settings = bridged(seen_by(network, own[0]), own[0]) if own else {}
    found |= settings
    online = "routable" if "address" in settings else "no"
    return found | {("linkConfig", "RequiredForOnline"): online}


def seen_by(network: Network, iface: HostInterface) -> Network:
    """The network as its gateway sees it: a gateway that is the host's own
    address is no route for the host (a default route through itself)."""
    held = held_gateways(network, iface)
    return replace(network, **dict.fromkeys(held, None)) if held else network


def routed_taps(network: Network, nics: list[Interface]) -> dict:
    taps = [nic for nic in nics if nic.type == "tap"]
    return {f"40-{nic.id}": routed_tap(network, nic) for nic in taps}


def routed_tap(network: Network, nic: Interface) -> dict:
    """The host answers as the gateway on each tap and routes the VM's addresses."""
    gateways = [gw for gw in (network.gateway4, network.gateway6) if gw]
    addresses = [a for a in (nic.ipv4, nic.ipv6) if present(a)]
    found = {
        ("matchConfig", "Name"): nic.id,
        # One address even where gateway4 is gateway6 (RFC 8950: fe80::1).
        "address": list(dict.fromkeys(host_route(gw) for gw in gateways)),
        "routes": [{"Destination": host_route(a)} for a in addresses],
        "networkConfig": {"IPv4Forwarding": True, "IPv6Forwarding": True},
    }
    return {key: value for key, value in found.items() if value}
