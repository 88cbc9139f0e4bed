"""Addresses written into systemd-networkd units carry no IPv6 zone id (F520).

Python's ipaddress accepts `fe80::1%<zone>` with any text after the `%`,
line breaks included, and emit/guest_network.py and emit/host_network.py write
addresses verbatim into `Address=`, `Gateway=`, `Destination=` and `DNS=`.
networkd's Address= and Gateway= take no zone (a unit already belongs to one
link), and a line break would start a new setting of the unit. A network's
prefix with a zone names no network at all.

The other values of these units are checked where they are defined: unit and
interface names (F101, F405..F407), MACs (F301), VLAN ids (F008); tmpfiles
rules hold `state_dir` (F512, F514), VM names (F101) and machine-ids (F110);
udev rules hold block device names (F910).
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Network
from ..core.source import Span
from .common import interfaces
from .values import shown

HELP = "leave out `%<zone>`: networkd ties each address to the link of its unit"


def check_zone_ids(fleet: Fleet) -> Iterator[Diagnostic]:
    for network in fleet.networks:
        yield from _network(network)
    for _, interface in interfaces(fleet):
        for field in ("ipv4", "ipv6"):
            text = getattr(interface, field)
            if isinstance(text, str) and "%" in text:
                yield from _zone(text, interface.at(field))


def _network(network: Network) -> Iterator[Diagnostic]:
    for field in ("ipv4", "gateway4", "ipv6", "gateway6"):
        yield from _zone(getattr(network, field), network.at(field))
    for index, server in enumerate(network.dns):
        yield from _zone(server, network.at("dns", index))


def _zone(text, span: Span | None) -> Iterator[Diagnostic]:
    if isinstance(text, str) and "%" in text:
        message = f"address `{shown(text)}` has an IPv6 zone id"
        yield error("F520", message, span, help=HELP)
