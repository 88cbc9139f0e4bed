"""The host as its network's router: `[networks.<n>] router = "<host>"`.

On its bridge the router holds the network's gateways (never a route through
them), forwards for the families the network has, announces the IPv6 prefix
(systemd-networkd's `IPv6SendRA`; SLAAC only where the network's addressing
asks for it, so static guests gain no second address) and serves DHCPv4
where `addressing = "dhcp"` (`DHCPServer`). IPv4 leaves through NAT out of
the host's uplink (nixpkgs' `networking.nat`, as microvm.nix's
doc/src/routed-network.md has it). The network is the router's alone
(checks/routers.py), so its bridge never takes the untagged uplink.
"""

from __future__ import annotations

import ipaddress

from ..core.model import Fleet, Host, HostInterface, Network
from .common import bridge_name, present, prefix_length
from .dhcp_pool import pool

# Link-local gateways (fe80::1) sit in fe80::/64 on the bridge.
LINK_LOCAL = ipaddress.ip_network("fe80::/10")
AUTOCONFIGURED = ("slaac", "dhcp")
SYSCTL = {4: "net.ipv4.conf.all.forwarding", 6: "net.ipv6.conf.all.forwarding"}


def routes(host: Host, network: Network) -> bool:
    return network.router == host.name


def router_unit(fleet: Fleet, host: Host, network: Network) -> dict:
    """The bridge unit of the network's router."""
    found: dict = {("matchConfig", "Name"): bridge_name(network)}
    found["address"] = addresses(network, own_interface(host, network))
    if network.ipv4 and ":" in (network.gateway4 or ""):
        # RFC 8950: no IPv4 gateway address here, so the route to the VMs is named
        found["routes"] = [{"Destination": network.ipv4}]
    found["networkConfig"] = network_config(network)
    if network.ipv6:
        found["ipv6Prefixes"] = [announced(network)]
    if serves_dhcp(network):
        found["dhcpServerConfig"] = dhcp_server(fleet, network)
    # The host's own connectivity is its uplink; VMs bring the bridge's carrier.
    return found | {("linkConfig", "RequiredForOnline"): "no"}


def own_interface(host: Host, network: Network) -> HostInterface | None:
    own = [iface for iface in host.interfaces if iface.network == network.name]
    return own[0] if own else None


def addresses(network: Network, own: HostInterface | None) -> list[str]:
    """The host's own addresses on the network, then the gateways it holds."""
    found = []
    if own is not None:
        found += [with_length(a, network) for a in (own.ipv4, own.ipv6) if present(a)]
    gateways = (network.gateway4, network.gateway6)
    found += [with_length(gw, network) for gw in gateways if gw]
    return list(dict.fromkeys(found))


def with_length(address: str, network: Network) -> str:
    """An address with its network's prefix length (/64 for a link-local one)."""
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6 and parsed in LINK_LOCAL:
        return f"{address}/64"
    cidr = network.ipv4 if parsed.version == 4 else network.ipv6
    return f"{address}/{prefix_length(cidr)}"


def network_config(network: Network) -> dict:
    found: dict = {"ConfigureWithoutCarrier": True}
    if network.ipv4:
        found["IPv4Forwarding"] = True
    if network.ipv6:
        found |= {"IPv6Forwarding": True, "IPv6SendRA": True}
    if serves_dhcp(network):
        found["DHCPServer"] = True
    return found


def announced(network: Network) -> dict:
    """The prefix in the router advertisements: on-link always, for SLAAC only
    where the guests take their IPv6 addresses from it."""
    slaac = network.addressing in AUTOCONFIGURED
    return {"Prefix": network.ipv6, "AddressAutoconfiguration": slaac}


def serves_dhcp(network: Network) -> bool:
    return network.addressing == "dhcp" and network.ipv4 is not None


def dhcp_server(fleet: Fleet, network: Network) -> dict:
    """The lease pool keeps clear of the gateway, hosts' addresses and the
    network's reserved ranges: networkd takes one contiguous pool."""
    offset, size = pool(fleet, network)
    found: dict = {
        "ServerAddress": with_length(network.gateway4, network),
        "PoolOffset": offset,
        "PoolSize": size,
    }
    servers = [dns for dns in network.dns if ":" not in dns]
    return found | ({"DNS": servers} if servers else {})


def nat(fleet: Fleet, host: Host, external: str | None) -> dict:
    """NAT for the IPv4 networks this host routes, and forwarding for the
    families they have (the kernel forwards IPv6 only when `all` does)."""
    networks = [n for n in fleet.networks if routes(host, n)]
    found: dict = {}
    for version, field in ((4, "ipv4"), (6, "ipv6")):
        if any(getattr(n, field) for n in networks):
            found[("boot", "kernel", "sysctl", SYSCTL[version])] = True
    inside = [n.ipv4 for n in networks if n.ipv4]
    if inside:
        settings = {"enable": True, "internalIPs": inside}
        if external is not None:
            settings["externalInterface"] = external
        found[("networking", "nat")] = settings
    return found
