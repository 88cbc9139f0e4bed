"""Addresses: the lowest free one of the interface's network, per family.

Only for the families fleetc writes (Network.static): none where the network
assigns them (addressing = "dhcp", "slaac", "none"); a locked one is released.

Never the network or broadcast address, the gateway, a reserved range, a host's
own address or one a VM holds. Each network keeps a cursor that only moves up
and jumps over reserved ranges (merged into sorted intervals), so filling a /16
with 10,000 VMs costs one step per address passed, not a scan per VM.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from typing import Hashable, Iterator

from ..core import inet
from ..core.diagnostics import Diagnostic, error
from ..lock.lockfile import Lock
from ..lock.values import CANONICAL_IPV4
from ..core.model import Fleet, HostInterface, Interface, Network, Vm
from .settle import Kind, Holder, Slot, Taken, hold, interface_slots

Scope = tuple[str, int]  # (network name, IP version)
FIELD = {4: "ipv4", 6: "ipv6"}


class Pool:
    """One family of one network: usable bounds, reserved intervals, a cursor."""

    def __init__(self, net: Network, subnets: inet.Subnets, version: int) -> None:
        self.net, self.version = net, version
        self.prefix = subnets.prefixes[version]
        self.ranges = subnets.reserved[version]
        self.gateway = subnets.gateways.get(version)
        whole = self.prefix.num_addresses <= 2  # RFC 3021: no network or broadcast
        self.first = int(self.prefix.network_address) + (0 if whole else 1)
        spare_top = not whole and version == 4  # IPv6 has no broadcast address
        self.last = int(self.prefix.broadcast_address) - spare_top
        self.intervals = list(_merged(net.reserved, version))
        self.cursor, self.next_interval = self.first, 0

    def next_free(self, taken: dict) -> int | None:
        """The lowest address above every one handed out so far, not in `taken`."""
        while self.cursor <= self.last:
            if (jump := self._reserved_end()) is not None:
                self.cursor = jump + 1
                continue
            value, self.cursor = self.cursor, self.cursor + 1
            if value not in taken:
                return value
        return None

    def _reserved_end(self) -> int | None:
        """End of the reserved interval holding the cursor, if one does."""
        intervals = self.intervals
        while (
            self.next_interval < len(intervals)
            and intervals[self.next_interval][1] < self.cursor
        ):
            self.next_interval += 1
        if self.next_interval < len(intervals):
            start, end = intervals[self.next_interval]
            return end if start <= self.cursor else None
        return None

    def address(self, value: int) -> inet.IPAddress:
        return type(self.prefix.network_address)(value)

    def unusable(self, value: int) -> str | None:
        if self.first <= value <= self.last and self.ranges.find(value) is None:
            return None  # inside, not the network or broadcast address, not reserved
        return self._why_unusable(value)

    def all_usable(self, values: list[int]) -> bool:
        """`unusable` is None for every one of `values` (sorted): all within
        the usable bounds, none in a reserved interval (a bisection each)."""
        if values[0] < self.first or values[-1] > self.last:
            return False
        return all(
            bisect_left(values, start) == bisect_right(values, end)
            for start, end in self.intervals
        )

    def _why_unusable(self, value: int) -> str | None:
        """The reason, read from address objects: what `unusable` asks only of
        a value outside the usable bounds or in a reserved range (10,000
        locked addresses are judged by integers alone)."""
        address = self.address(value)
        if address not in self.prefix:
            return f"{address} is outside network `{self.net.name}` ({self.prefix})"
        if reason := inet.reserved_by_subnet(address, self.prefix):
            return f"{address} is {reason}"
        index = self.ranges.find(value)
        if index is not None:
            entry = self.net.reserved[index]
            return f"{address} is in reserved range {entry} of `{self.net.name}`"
        return None


def _merged(entries: tuple[str, ...], version: int) -> Iterator[tuple[int, int]]:
    """Reserved entries of one family as sorted, disjoint intervals."""
    spans = sorted(_ranges(entries, version))
    current: list[int] | None = None
    for start, end in spans:
        if current is not None and start <= current[1] + 1:
            current[1] = max(current[1], end)
            continue
        if current is not None:
            yield current[0], current[1]
        current = [start, end]
    if current is not None:
        yield current[0], current[1]


def _ranges(entries: tuple[str, ...], version: int) -> Iterator[tuple[int, int]]:
    for text in entries:
        try:
            start, end = inet.reserved_range(text)
        except inet.Invalid:
            continue  # reported by the network checks
        if start.version == version:
            yield int(start), int(end)


class Addresses(Kind):
    def __init__(self, fleet: Fleet) -> None:
        parsed = inet.subnets(fleet)
        self.pools: dict[Scope, Pool] = {
            (net.name, version): Pool(net, parsed[net.name], version)
            for net in fleet.networks
            for version in (4, 6)
            if version in parsed[net.name].prefixes and net.static(version)
        }

    def scope(self, version: int):
        """The slot scope of an interface, or None where it gets no address."""

        def of(vm: Vm, interface: Interface) -> Scope | None:
            key = (interface.network, version)
            return key if key in self.pools else None

        return of

    def parse(self, scope: Scope, value: object) -> Hashable | None:
        if not isinstance(value, str):
            return None
        if scope[1] == 4 and CANONICAL_IPV4.fullmatch(value):
            return ipv4_int(value)
        try:
            return int(inet.address(value, scope[1]))
        except inet.Invalid:
            return None

    def show(self, scope: Scope, key: Hashable) -> str:
        if scope[1] == 4:
            return _ipv4_text(key)
        return str(self.pools[scope].address(key))

    def describe(self, slot: Slot, key: Hashable) -> str:
        label = inet.LABEL[slot.scope[1]]
        return (
            f"{label} address {self.show(slot.scope, key)} of network `{slot.scope[0]}`"
        )

    def unusable(self, scope: Scope, key: Hashable) -> str | None:
        reason = self.pools[scope].unusable(key)
        return f"is no longer usable: {reason}" if reason else None

    def fresh(self, slot: Slot, taken: dict) -> int | None:
        return self.pools[slot.scope].next_free(taken)

    def slots(self, fleet: Fleet, lock: Lock, version: int) -> list[Slot]:
        field = FIELD[version]
        return list(interface_slots(fleet, lock, field, self.scope(version)))

    def taken(self, fleet: Fleet) -> Taken:
        """Gateways and hosts' own addresses are never given to a VM."""
        return hold({}, self._outside_vms(fleet))

    def _outside_vms(self, fleet: Fleet) -> Iterator[tuple[Scope, int, Holder]]:
        for (name, version), pool in self.pools.items():
            if pool.gateway is not None:
                what = f"the gateway of network `{name}`"
                span = pool.net.at(f"gateway{version}")
                yield (name, version), int(pool.gateway), Holder(what, span)
        for host in fleet.hosts:
            for interface in host.interfaces:
                for version in FIELD:
                    yield from self._host_address(host.name, interface, version)

    def _host_address(
        self, host: str, interface: HostInterface, version: int
    ) -> Iterator[tuple[Scope, int, Holder]]:
        scope = (interface.network, version)
        text = getattr(interface, FIELD[version])
        if scope in self.pools and isinstance(text, str):
            try:
                value = int(inet.address(text, version))
            except inet.Invalid:
                return  # reported by the address checks
            yield scope, value, Holder(f"host `{host}`", interface.at(FIELD[version]))

    def exhausted(self, starved: list[Slot], slots: list[Slot]) -> list[Diagnostic]:
        """One diagnostic per network and family that ran out."""
        asked = Counter(slot.scope for slot in slots)
        short = Counter(slot.scope for slot in starved)
        return [self._exhausted(scope, asked[scope], short[scope]) for scope in short]

    def _exhausted(self, scope: Scope, asked: int, short: int) -> Diagnostic:
        pool = self.pools[scope]
        family = inet.LABEL[pool.version]
        message = (
            f"network `{pool.net.name}` has run out of {family} addresses:"
            f" {pool.prefix} has {pool.prefix.num_addresses} addresses, {asked} VMs ask for"
            f" one, and {short} cannot have one"
        )
        help = (
            "use a larger prefix, shrink the reserved ranges, or set"
            f" {FIELD[pool.version]} = false on interfaces that need no address"
        )
        span = pool.net.at(FIELD[pool.version])
        return error("F804", message, span, help=help)


# A canonical IPv4 address (as str(IPv4Address) writes it) to and from its
# integer by arithmetic: an address object each way was most of comparing an
# unchanged fleet's 10,000 locked addresses (test_lock_fast_paths.py checks
# both against ipaddress).
def ipv4_int(text: str) -> int:
    a, b, c, d = text.split(".")
    return int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)


def _ipv4_text(value: int) -> str:
    return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"
