"""Network declarations: prefixes, gateways, reserved ranges, DNS, VLAN, overlap
(F004, F005, F201, F205, F207, F208, F210, F211, F216).

gateway4 may be an IPv6 address (RFC 8950: IPv4 routed via an IPv6 next hop),
which must then be on the link.
"""

from __future__ import annotations

import ipaddress
from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Network
from ..core import inet
from .common import located

LINK_LOCAL = ipaddress.ip_network("fe80::/10")


def check_prefixes(fleet: Fleet) -> Iterator[Diagnostic]:
    for net in fleet.networks:
        for prefix_field, _, version in inet.FAMILIES:
            text = getattr(net, prefix_field)
            if text is not None:
                yield from _parse(net, prefix_field, "F211", inet.network, version)


def _parse(net: Network, field: str, code: str, parse, version) -> Iterator[Diagnostic]:
    try:
        parse(getattr(net, field), version)
    except inet.Invalid as bad:
        yield error(code, bad.message, net.at(field), help=bad.help)


def check_gateways(fleet: Fleet) -> Iterator[Diagnostic]:
    parsed = inet.subnets(fleet)
    for net in fleet.networks:
        for prefix_field, gateway_field, version in inet.FAMILIES:
            if getattr(net, gateway_field) is None:
                continue
            if version == 4 and ipv6_gateway4(net) is not None:
                yield from _ipv6_gateway4(net, parsed[net.name])
                continue
            yield from _parse(net, gateway_field, "F201", inet.address, version)
            fields = (prefix_field, gateway_field)
            yield from _gateway(net, parsed[net.name], fields, version)


def _gateway(
    net: Network, parsed: inet.Subnets, fields: tuple[str, str], version: int
) -> Iterator[Diagnostic]:
    gateway, prefix = parsed.gateways.get(version), parsed.prefixes.get(version)
    prefix_field, field = fields
    if getattr(net, prefix_field) is None:
        message = f"network `{net.name}` has no {inet.LABEL[version]} prefix"
        help = f"set {prefix_field} on [networks.{net.name}], or remove {field}"
        yield error("F210", message, net.at(field), help=help)
    elif gateway is not None and prefix is not None:
        yield from _gateway_placement(net, field, gateway, prefix)


def _gateway_placement(
    net: Network, field: str, gateway: inet.IPAddress, prefix: inet.IPNetwork
) -> Iterator[Diagnostic]:
    if gateway not in prefix and not (gateway.version == 6 and gateway in LINK_LOCAL):
        where = f"{prefix}" + (" or fe80::/10" if gateway.version == 6 else "")
        message = f"gateway {gateway} is outside {where}"
        yield error("F207", message, net.at(field))
    elif reason := inet.reserved_by_subnet(gateway, prefix):
        yield error("F205", f"gateway {gateway} is {reason}", net.at(field))


def ipv6_gateway4(net: Network) -> ipaddress.IPv6Address | None:
    """An IPv6 next hop for the IPv4 default route (RFC 8950), if gateway4 is one."""
    try:
        found = ipaddress.ip_address(net.gateway4 or "")
    except ValueError:
        return None
    return found if found.version == 6 else None


def _ipv6_gateway4(net: Network, parsed: inet.Subnets) -> Iterator[Diagnostic]:
    """The next hop must be on the link: link-local, or inside the network's
    own IPv6 prefix; and the network needs an IPv4 prefix to route at all."""
    gateway, prefix6 = ipv6_gateway4(net), parsed.prefixes.get(6)
    if net.ipv4 is None:
        message = f"network `{net.name}` has no IPv4 prefix"
        help = f"set ipv4 on [networks.{net.name}], or remove gateway4"
        yield error("F210", message, net.at("gateway4"), help=help)
    if gateway in LINK_LOCAL or (prefix6 is not None and gateway in prefix6):
        return
    where = "fe80::/10" + (f" or {prefix6}" if prefix6 is not None else "")
    message = f"IPv6 gateway4 {gateway} of network `{net.name}` is outside {where}"
    help = "an IPv6 next hop for IPv4 (RFC 8950) must be on the link: use the"
    help += ' router\'s link-local address, e.g. `gateway4 = "fe80::1"`'
    yield error("F216", message, net.at("gateway4"), help=help)


def check_routed_gateways(fleet: Fleet) -> Iterator[Diagnostic]:
    """A routed network's gateway is the host's address on every VM's tap."""
    for net in fleet.networks:
        if net.mode == "routed":
            for gateway_field in _missing_gateways(net):
                message = f"routed network `{net.name}` needs {gateway_field}"
                help = f"set {gateway_field}: the host's address on every VM's tap"
                yield error("F004", message, net.at("mode"), help=help)


def _missing_gateways(net: Network) -> list[str]:
    return [
        gateway_field
        for prefix_field, gateway_field, _ in inet.FAMILIES
        if getattr(net, prefix_field) is not None
        and getattr(net, gateway_field) is None
    ]


def check_reserved(fleet: Fleet) -> Iterator[Diagnostic]:
    for net in fleet.networks:
        for index, text in enumerate(net.reserved):
            try:
                inet.reserved_range(text)
            except inet.Invalid as bad:
                span = net.at("reserved", index)
                yield error("F211", bad.message, span, help=bad.help)


def check_dns(fleet: Fleet) -> Iterator[Diagnostic]:
    for net in fleet.networks:
        for index, text in enumerate(net.dns):
            try:
                ipaddress.ip_address(text)
            except ValueError:
                message = f"DNS server `{text}` is not an IP address"
                yield error("F201", message, net.at("dns", index))


def check_vlans(fleet: Fleet) -> Iterator[Diagnostic]:
    for net in fleet.networks:
        if net.vlan is not None and not 1 <= net.vlan <= 4094:
            message = f"VLAN id {net.vlan} is outside 1..4094"
            yield error("F005", message, net.at("vlan"))


def check_overlaps(fleet: Fleet) -> Iterator[Diagnostic]:
    """One sorted sweep per family: each network is compared with the one
    reaching furthest before it, never with every other network."""
    parsed = inet.subnets(fleet)
    for prefix_field, _, version in inet.FAMILIES:
        found = [
            (parsed[net.name].prefixes[version], net)
            for net in fleet.networks
            if version in parsed[net.name].prefixes
        ]
        yield from _sweep(sorted(found, key=lambda item: item[0]), prefix_field)


def _sweep(
    ordered: list[tuple[inet.IPNetwork, Network]], field: str
) -> Iterator[Diagnostic]:
    reach: tuple[inet.IPNetwork, Network] | None = None
    for prefix, net in ordered:
        if reach is not None and prefix[0] <= reach[0][-1]:
            yield _overlap(prefix, net, *reach, field)
        if reach is None or prefix[-1] > reach[0][-1]:
            reach = (prefix, net)


def _overlap(
    prefix: inet.IPNetwork,
    net: Network,
    other_prefix: inet.IPNetwork,
    other: Network,
    field: str,
) -> Diagnostic:
    message = (
        f"network `{net.name}` ({prefix}) overlaps `{other.name}` ({other_prefix})"
    )
    label = "overlaps " + located(f"network `{other.name}`", other.at(field))
    return error("F208", message, net.at(field), label=label)
