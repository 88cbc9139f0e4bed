"""Which of a network's gateways a host's own interface holds.

A host whose address on a network is that network's gateway is the gateway:
its own unit there must not route through that address (a default route
through itself reaches nothing, and would be the host's default route).
Shared by the host emitter and the router checks.
"""

from __future__ import annotations

import ipaddress

from ..core.model import Address, HostInterface, Network

GATEWAYS = ("gateway4", "gateway6")


def held_gateways(network: Network, iface: HostInterface) -> tuple[str, ...]:
    """The gateway fields of `network` whose address is one of `iface`'s own.

    gateway4 may be IPv6 (RFC 8950): each gateway is compared as an address,
    whatever its family, with both of the interface's addresses."""
    own = {_parsed(iface.ipv4), _parsed(iface.ipv6)} - {None}
    return tuple(name for name in GATEWAYS if _parsed(getattr(network, name)) in own)


def _parsed(text: Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None  # malformed: reported by the address checks
