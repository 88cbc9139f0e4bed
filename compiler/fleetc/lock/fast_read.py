"""fleet.lock's [vms] read a field at a time, when fleetc wrote them.

`entries` builds every VM's entry in one pass that only looks at the tables'
shapes (each a dict of known keys), then judges each field's values together:
their types by one set, their text by one regular expression over the values
joined by newlines (the CLEAN patterns, which never match one), uniqueness by
one set per field. Anything else (a value fleetc would not write, a name that
is not one, a value twice in its scope, an unknown key, a table that is not
one) gives None, and the plain reader (lockfile._Reader) reads the lock and
reports it: this only proves there is nothing to report, and builds what the
plain reader builds. tests/core/test_reader_fast_paths.py holds the two to the
same lock and diagnostics on random and spoilt locks.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from ..core.formats import all_match, joined_pattern
from .entries import (
    INTERFACE_KEYS,
    VM_KEYS,
    LockedInterface,
    LockedVm,
    TableSpans,
)
from .values import CID_ANY, CLEAN, NAME_PATTERNS, VALIDATORS

_put = object.__setattr__
_new = object.__new__


# Field (or name kind) -> its pattern over the values joined.
JOINED = {key: joined_pattern(pattern.pattern) for key, pattern in CLEAN.items()}
JOINED_NAMES = {
    kind: joined_pattern(pattern.pattern) for kind, pattern in NAME_PATTERNS.items()
}
UNIQUE = ("machine_id", "mac")  # fleet-wide; ipv4 and ipv6 per network

# A table's keys in file order -> the fields it writes, in the plain reader's
# order; only shapes of known keys are kept (a few dozen at most).
_VM_SHAPES: dict[tuple, tuple] = {}
_INTERFACE_SHAPES: dict[tuple, tuple] = {}


def _shape(keys: tuple, fields: tuple, shapes: dict) -> tuple | None:
    allowed = set(fields) | ({"interfaces"} if fields is VM_KEYS else set())
    if not set(keys) <= allowed:
        return None
    shapes[keys] = names = tuple(key for key in fields if key in keys)
    return names


def entries(spans: Any, vms: dict) -> dict[str, LockedVm] | None:
    """Every VM's LockedVm, in file order, or None: read it value by value."""
    seen = _Seen()
    built = _built(spans, vms, seen)
    return built if built is not None and seen.as_written(list(vms)) else None


class _Seen:
    """The values one pass over the tables saw, each field's apart (absent
    ones left out), and each interface's network with its addresses in step
    (None where absent): judged after, together. Gathered as each table is
    read: walking the tables again after cost as much again at 100,000 VMs,
    where they no longer fit in the processor's caches."""

    def __init__(self) -> None:
        self.values: dict[str, list] = {key: [] for key in VM_KEYS + ("id", "mac")}
        self.networks: list[str] = []
        self.ipv4: list[str | None] = []
        self.ipv6: list[str | None] = []

    def as_written(self, vms: list) -> bool:
        return _as_written(vms, self)


_NO_INTERFACES = MappingProxyType({})


def _built(spans: Any, vms: dict, seen: _Seen) -> dict[str, LockedVm] | None:
    """Each VM's entry as model.made builds it (lockfile._Reader), or None at
    the first table of a shape fleetc does not write. One loop, without a
    call a table it can spare: 10,000 VMs are 20,000 tables."""
    built: dict[str, LockedVm] = {}
    values = seen.values
    put, new, proxy, table_spans = _put, _new, MappingProxyType, TableSpans  # local
    hosts, machine_ids, cids = (values[field].append for field in VM_KEYS)
    taps, macs = values["id"].append, values["mac"].append
    networks, ipv4s, ipv6s = seen.networks.append, seen.ipv4.append, seen.ipv6.append
    for name, raw in vms.items():
        if type(raw) is not dict:
            return None
        keys = tuple(raw)
        names = _VM_SHAPES.get(keys) or _shape(keys, VM_KEYS, _VM_SHAPES)
        tables = raw.get("interfaces", _NO_INTERFACES)
        if names is None or type(tables) not in (dict, MappingProxyType):
            return None
        found = {}
        for network, table in tables.items():
            if type(table) is not dict:
                return None
            keys = tuple(table)
            shape = _INTERFACE_SHAPES.get(keys) or _shape(
                keys, INTERFACE_KEYS, _INTERFACE_SHAPES
            )
            if shape is None:
                return None
            tap, ipv4, ipv6, mac = map(table.get, INTERFACE_KEYS)
            networks(network)
            ipv4s(ipv4)
            ipv6s(ipv6)
            # A field absent is left unset: it reads as its default, None.
            interface = found[network] = new(LockedInterface)
            if tap is not None:
                taps(tap)
                put(interface, "id", tap)
            if ipv4 is not None:
                put(interface, "ipv4", ipv4)
            if ipv6 is not None:
                put(interface, "ipv6", ipv6)
            if mac is not None:
                macs(mac)
                put(interface, "mac", mac)
            path = ("vms", name, "interfaces", network)
            put(interface, "spans", table_spans(spans, path, shape))
        host, machine_id, cid = map(raw.get, VM_KEYS)
        vm = built[name] = new(LockedVm)
        if host is not None:
            hosts(host)
            put(vm, "host", host)
        if machine_id is not None:
            machine_ids(machine_id)
            put(vm, "machine_id", machine_id)
        if cid is not None:
            cids(cid)
            put(vm, "vsock_cid", cid)
        put(vm, "interfaces", proxy(found) if found else _NO_INTERFACES)
        put(vm, "spans", table_spans(spans, ("vms", name), names))
    return built


def _as_written(vms: list, seen: _Seen) -> bool:
    """Whether the plain reader would keep every value and report nothing."""
    if not _named(vms, "VM") or not _named(seen.networks, "network"):
        return False
    present = dict(seen.values)
    present["ipv4"] = _present(seen.ipv4)
    present["ipv6"] = _present(seen.ipv6)
    if present["ipv4"] is None or present["ipv6"] is None:
        return False
    if not all(_clean(key, present[key]) for key in CLEAN):
        return False
    if not _cids(present["vsock_cid"]) or not _ipv6(present["ipv6"]):
        return False
    if not all(len(set(present[key])) == len(present[key]) for key in UNIQUE):
        return False
    return _unique_per_network(seen, present)


def _present(column: list) -> list | None:
    """The values written (not None), or None if one is falsy ("", 0,
    false: none is one fleetc writes): no Python step a value."""
    values = list(filter(None, column))
    return values if len(values) + column.count(None) == len(column) else None


def _named(names: list, kind: str) -> bool:
    return all_match(JOINED_NAMES[kind], names)


def _clean(key: str, values: list) -> bool:
    return all_match(JOINED[key], values)


def _cids(values: list) -> bool:
    if not values:
        return True
    if set(map(type, values)) != {int}:
        return False
    return min(values) >= 3 and max(values) < CID_ANY


def _ipv6(values: list) -> bool:
    """Value by value, with the validator (fleets with IPv6 are few)."""
    return all(VALIDATORS["ipv6"](value) is None for value in values)


def _unique_per_network(seen: _Seen, present: dict) -> bool:
    one = len(set(seen.networks)) <= 1  # as most fleets: the values are the pairs
    for key, column in (("ipv4", seen.ipv4), ("ipv6", seen.ipv6)):
        if one:
            held = present[key]
        else:
            pairs = zip(seen.networks, column, strict=True)
            held = [pair for pair in pairs if pair[1] is not None]
        if len(set(held)) != len(held):
            return False
    return True
