"""MAC addresses of VM interfaces (F301..F304)."""

from __future__ import annotations

from typing import Iterator

from ..core.formats import MAC
from ..core.diagnostics import Diagnostic, error, warning
from ..core.model import Fleet, Interface
from .common import FirstSeen, owner_name, vm_interfaces

MULTICAST = 0x01
LOCALLY_ADMINISTERED = 0x02


def check_mac_format(fleet: Fleet) -> Iterator[Diagnostic]:
    for _, interface in vm_interfaces(fleet):
        mac = interface.mac
        if mac is not None and not MAC.fullmatch(mac):
            message = f"malformed MAC address `{mac}`"
            yield error("F301", message, interface.at("mac"), help=_format_help(mac))


def _format_help(mac: str) -> str:
    if MAC.fullmatch(mac.replace("-", ":")):
        return f"separate the octets with colons: {mac.replace('-', ':')}"
    return "write six colon-separated hex octets, e.g. 02:00:00:00:00:01"


def check_mac_kind(fleet: Fleet) -> Iterator[Diagnostic]:
    for _, interface in vm_interfaces(fleet):
        if interface.mac is not None and MAC.fullmatch(interface.mac):
            yield from _kind(interface, interface.mac)


def _kind(interface: Interface, mac: str) -> Iterator[Diagnostic]:
    first = int(mac[:2], 16)
    local = f"{(first | LOCALLY_ADMINISTERED) & ~MULTICAST:02x}{mac[2:].lower()}"
    if first & MULTICAST:
        message = f"{mac} is a multicast MAC address: an interface needs a unicast one"
        help = f"clear the lowest bit of the first octet, e.g. {local}"
        yield error("F302", message, interface.at("mac"), help=help)
    elif not first & LOCALLY_ADMINISTERED:
        message = f"{mac} is universally administered: it may clash with real hardware"
        help = f"use a locally administered address, e.g. {local}"
        yield warning("F304", message, interface.at("mac"), help=help)


def check_unique_macs(fleet: Fleet) -> Iterator[Diagnostic]:
    seen = FirstSeen()
    for vm, interface in vm_interfaces(fleet):
        mac = interface.mac
        if mac is None or not MAC.fullmatch(mac):
            continue
        span = interface.at("mac")
        if label := seen.claim(mac.lower(), owner_name(vm), span):
            message = f"duplicate MAC address {mac.lower()}"
            yield error("F303", message, span, label=label)
