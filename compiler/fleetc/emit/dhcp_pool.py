"""The DHCPv4 lease pool of a router's network, as networkd takes it: one
contiguous run of addresses, `PoolOffset=` from the subnet's start and
`PoolSize=` long (systemd.network(5), [DHCPServer]).

Every address the fleet gives out otherwise stays out of it: the network and
broadcast addresses, the gateway, hosts' own addresses on the network and
its reserved ranges. The longest free run is the pool (the lowest of equals).
"""

from __future__ import annotations

import ipaddress

from ..core import inet
from ..core.model import Fleet, Network


def pool(fleet: Fleet, network: Network) -> tuple[int, int]:
    prefix = ipaddress.ip_network(network.ipv4)
    base = int(prefix.network_address)
    taken = sorted(_taken(fleet, network, prefix))
    start, size = _longest(base + 1, int(prefix.broadcast_address) - 1, taken)
    return start - base, size


def _taken(fleet: Fleet, network: Network, prefix) -> list[tuple[int, int]]:
    """(first, last) of every address or range the pool must leave out."""
    found = [(int(a), int(a)) for a in _singles(fleet, network) if a in prefix]
    for entry in network.reserved:
        first, last = inet.reserved_range(entry)
        if first.version == 4:
            found.append((int(first), int(last)))
    return found


def _singles(fleet: Fleet, network: Network):
    yield ipaddress.ip_address(network.gateway4)
    for host in fleet.hosts:
        for iface in host.interfaces:
            if iface.network == network.name and isinstance(iface.ipv4, str):
                yield ipaddress.ip_address(iface.ipv4)


def _longest(low: int, high: int, taken: list[tuple[int, int]]) -> tuple[int, int]:
    """(start, length) of the longest run in [low, high] outside `taken`."""
    best, cursor = (low, 0), low
    for first, last in taken + [(high + 1, high + 1)]:
        end = min(first, high + 1)  # the run before this entry ends here
        if end - cursor > best[1]:
            best = (cursor, end - cursor)
        cursor = max(cursor, last + 1)
    return best
