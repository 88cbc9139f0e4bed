"""fleet.lock's values read back: each checked as fleetc would have written it.

A validator takes a value tomli parsed and returns None or what is wrong with
it, as the end of a message (`is not a MAC address ...`); values are shown
escaped, so a control character in a committed lock is never sent to a
terminal. Names (hosts, VMs, networks) pass the same rule as in the fleet file.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ..core.formats import HOST_NAME, IFNAMSIZ, LEGAL, MAC, MACHINE_ID, UNIT_NAME
from ..core.toml_text import key as _key
from ..core.toml_text import string as _string

CID_ANY = 2**32 - 1  # VMADDR_CID_ANY: not an address
REGENERATE_HELP = (
    "fix or delete this line; fleetc then allocates the value again (it may differ)"
)
NAME_HELP = (
    "fleet.lock is generated and holds only names a fleet file may hold:"
    " restore it from version control"
)


def _value(value: str | int) -> str:
    return str(value) if isinstance(value, int) else _string(value)


def _dotted(path: tuple) -> str:
    return ".".join(_key(str(part)) for part in path)


def _text(check):
    """A validator for strings: the type first, then `check` on the text."""

    def validate(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be a string, not {_type_name(value)}"
        return check(value)

    return validate


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float"}.get(
        type(value), f"a {type(value).__name__}"
    )


def _shown(text: str) -> str:
    """A value as a message shows it: control characters escaped, as in TOML."""
    return _string(text)[1:-1]


def _machine_id(text: str) -> str | None:
    if not MACHINE_ID.fullmatch(text) or not text.strip("0"):
        return f"is not a machine-id: `{_shown(text)}` (32 lowercase hex digits, not all 0)"
    return None


def _mac(text: str) -> str | None:
    if not MAC.fullmatch(text) or text != text.lower():
        return f"is not a MAC address as fleetc writes it: `{_shown(text)}`"
    if int(text[:2], 16) & 0x01:
        return f"is a multicast MAC address: `{_shown(text)}`"
    return None


# An IPv4 address as str(ipaddress.IPv4Address) writes it: four octets of
# 0-255, no leading zeros. What matches is what the full check below accepts
# (test_fast_paths.py); it spares 10,000 ipaddress parses at 10,000 VMs.
CANONICAL_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def _address(version: int):
    def check(text: str) -> str | None:
        if version == 4 and CANONICAL_IPV4.fullmatch(text):
            return None
        try:
            parsed = ipaddress.ip_address(text)
        except ValueError:
            parsed = None
        if parsed is None or parsed.version != version:
            return f"is not an IPv{version} address: `{_shown(text)}`"
        if str(parsed) != text:
            return f"is not in canonical form: write `{parsed}`"
        return None

    return check


def _tap_id(text: str) -> str | None:
    if not LEGAL.fullmatch(text) or text in (".", ".."):
        return f"is not a legal interface name: `{_shown(text)}`"
    if len(text.encode()) >= IFNAMSIZ:
        return f"is longer than {IFNAMSIZ - 1} bytes: `{_shown(text)}`"
    return None


def _name(kind: str):
    """A validator for a name the fleet file checks (checks/names.py)."""

    def check(text: str) -> str | None:
        if NAME_PATTERNS[kind].fullmatch(text):
            return None
        return f"is not a valid {kind} name: {_string(text)}"

    return check


def _name_problem(text: str, kind: str) -> str:
    # Quoted and escaped as in TOML: a control character is shown, not sent.
    return f"{_string(text)} is not a valid {kind} name"


def _vsock_cid(value: Any) -> str | None:
    if type(value) is not int:
        return f"must be an integer, not {_type_name(value)}"
    if not 3 <= value < CID_ANY:
        return f"must be from 3 to {CID_ANY - 1}, not {value}"
    return None


VALIDATORS = {
    "host": _text(_name("host")),
    "machine_id": _text(_machine_id),
    "vsock_cid": _vsock_cid,
    "mac": _text(_mac),
    "ipv4": _text(_address(4)),
    "ipv6": _text(_address(6)),
    "id": _text(_tap_id),
    "renamed_to": _text(_name("VM")),
}
# As checks/names.py judges each in the fleet file: hosts and VMs share the
# NixOS host name rule, networks become unit and attribute names.
NAME_PATTERNS = {"host": HOST_NAME, "VM": HOST_NAME, "network": UNIT_NAME}
NAME_KEYS = frozenset({"host", "renamed_to"})  # values that are names

# Field -> a pattern that only a string its validator accepts matches whole:
# one match, not the validator's calls, for each of the 70,000 values of a
# 10,000-VM lock (lockfile.py). A string that does not match is judged by the
# validator. None matches a newline, nor looks past one: fast_read.py matches
# a field's values joined by newlines with one pattern. tests/core/test_lock_fast_paths.py holds each to its validator.
CLEAN = {
    "host": HOST_NAME,
    # 32 lowercase hex digits, not all 0
    "machine_id": re.compile(r"(?!0{32})[0-9a-f]{32}"),
    # lowercase, its first octet even (unicast)
    "mac": re.compile(r"[0-9a-f][02468ace](?::[0-9a-f]{2}){5}"),
    "ipv4": CANONICAL_IPV4,
    # at most IFNAMSIZ - 1 bytes of LEGAL's ASCII, and not `.` or `..`
    # (followed by a newline too: fast_read.py matches values joined by them)
    "id": re.compile(r"(?!\.\.?(?:\n|\Z))[A-Za-z0-9_.-]{1,15}"),
}

# Field -> the scope (from the value's path) within which it must be unique.
# Tap ids and vsock CIDs are per host and hosts change: allocation checks those.
UNIQUE_SCOPE = {
    "machine_id": lambda path: None,
    "mac": lambda path: None,
    "ipv4": lambda path: path[3],
    "ipv6": lambda path: path[3],
}
