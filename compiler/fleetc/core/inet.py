"""Strict parsing of addresses, networks and reserved ranges, and the parsed view
of each network that the address checks share."""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterator, Union

from .model import Fleet, Network

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# (address field, gateway field, IP version) of each family a network may have.
FAMILIES = (("ipv4", "gateway4", 4), ("ipv6", "gateway6", 6))
LABEL = {4: "IPv4", 6: "IPv6"}


class Invalid(ValueError):
    """A value that does not parse; `message` and `help` go into the diagnostic."""

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.help = help


def address(text: str, version: int) -> IPAddress:
    if "/" in text:
        bare = text.split("/")[0]
        raise Invalid(
            f"{text} has a prefix length",
            f"write the bare address {bare}; the prefix comes from the network",
        )
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        raise Invalid(f"`{text}` is not an {LABEL[version]} address") from None
    if parsed.version != version:
        raise Invalid(f"{text} is not an {LABEL[version]} address")
    return parsed


def network(text: str, version: int) -> IPNetwork:
    if "/" not in text:
        raise Invalid(
            f"{text} has no prefix length", f"write it like {_example(version)}"
        )
    try:
        parsed = ipaddress.ip_network(text)
    except ValueError:
        raise _not_a_network(text, LABEL[version]) from None
    if parsed.version != version:
        raise Invalid(f"{text} is not an {LABEL[version]} network")
    return parsed


def _example(version: int) -> str:
    return "10.0.0.0/24" if version == 4 else "fd00::/64"


def _not_a_network(text: str, family: str = "IP") -> Invalid:
    """Host bits set get the network most likely meant; anything else no hint."""
    try:
        meant = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return Invalid(f"`{text}` is not an {family} network")
    return Invalid(f"{text} has host bits set", f"did you mean {meant}?")


def reserved_range(text: str) -> tuple[IPAddress, IPAddress]:
    """First and last address of a reserved entry: "a-b", "a" or a CIDR."""
    if "/" in text:
        parsed = _any_network(text)
        return parsed[0], parsed[-1]
    first, _, last = text.partition("-")
    start, end = _any_address(first.strip()), _any_address((last or first).strip())
    if start.version != end.version or start > end:
        raise Invalid(f"`{text}` is not a range from a lower to a higher address")
    return start, end


def _any_network(text: str) -> IPNetwork:
    try:
        return ipaddress.ip_network(text)
    except ValueError:
        raise _not_a_network(text) from None


def _any_address(text: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise Invalid(f"`{text}` is not an address", RESERVED_HELP) from None


RESERVED_HELP = (
    'write a range "10.0.0.240-10.0.0.249", an address or a network "10.0.0.240/29"'
)


class Ranges:
    """Reserved ranges of one network, looked up in O(log n) per address."""

    def __init__(self, entries: list[tuple[int, int, int]]) -> None:
        # (start, end, index into network.reserved), by start; `reach[i]` is the
        # entry reaching furthest among the first i+1, so one bisect suffices.
        self._entries = sorted(entries)
        self._starts = [start for start, _, _ in self._entries]
        self._reach: list[tuple[int, int]] = []
        for _, end, index in self._entries:
            best = self._reach[-1] if self._reach else (-1, -1)
            self._reach.append(max(best, (end, index)))

    def find(self, value: int) -> int | None:
        """Index (into network.reserved) of an entry holding `value`, else None."""
        position = bisect_right(self._starts, value) - 1
        if position < 0 or self._reach[position][0] < value:
            return None
        return self._reach[position][1]


@dataclass(frozen=True)
class Subnets:
    """One network as parsed: only what parsed cleanly, so checks never re-report."""

    prefixes: dict[int, IPNetwork] = field(default_factory=dict)
    gateways: dict[int, IPAddress] = field(default_factory=dict)
    reserved: dict[int, Ranges] = field(default_factory=dict)


def subnets(fleet: Fleet) -> dict[str, Subnets]:
    return {net.name: _subnets(net) for net in fleet.networks}


def _subnets(net: Network) -> Subnets:
    parsed = Subnets()
    for prefix_field, gateway_field, version in FAMILIES:
        _keep(parsed.prefixes, version, network, getattr(net, prefix_field))
        _keep(parsed.gateways, version, address, getattr(net, gateway_field))
        parsed.reserved[version] = Ranges(list(_reserved(net, version)))
    return parsed


def _keep(into: dict, version: int, parse, text: str | None) -> None:
    if text is None:
        return
    try:
        into[version] = parse(text, version)
    except Invalid:
        pass


def _reserved(net: Network, version: int) -> Iterator[tuple[int, int, int]]:
    for index, text in enumerate(net.reserved):
        try:
            start, end = reserved_range(text)
        except Invalid:
            continue
        if start.version == version:
            yield int(start), int(end), index


def reserved_by_subnet(value: IPAddress, prefix: IPNetwork) -> str | None:
    """Why `value` cannot be given to a machine on `prefix`, or None.

    /31 and /32 (/127, /128) have no network or broadcast address (RFC 3021).
    """
    if prefix.num_addresses <= 2:
        return None
    if value == prefix.network_address:
        return f"the network address of {prefix}"
    if prefix.version == 4 and value == prefix.broadcast_address:
        return f"the broadcast address of {prefix}"
    return None
