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

import re
from itertools import repeat
from types import MappingProxyType
from typing import Any

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
_get = dict.get


def _joined(item: re.Pattern) -> re.Pattern:
    """Values each matching `item` whole, joined by newlines (never matched)."""
    return re.compile(rf"(?:{item.pattern})(?:\n(?:{item.pattern}))*")


# Field (or name kind) -> its pattern over the values joined.
JOINED = {key: _joined(pattern) for key, pattern in CLEAN.items()}
JOINED_NAMES = {kind: _joined(pattern) for kind, pattern in NAME_PATTERNS.items()}
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
    built: dict[str, LockedVm] = {}
    interfaces = _Interfaces(spans)
    key = spans.key
    for name, raw in vms.items():
        if type(raw) is not dict:
            return None
        keys = tuple(raw)
        names = _VM_SHAPES.get(keys) or _shape(keys, VM_KEYS, _VM_SHAPES)
        if names is None:
            return None
        tables = raw.get("interfaces")
        found = _NO_INTERFACES if tables is None else interfaces.read(name, tables)
        if found is None:
            return None
        path = ("vms", name)
        vm = _new(LockedVm)  # as model.made sets them (lockfile._Reader)
        _put(vm, "host", raw.get("host"))
        _put(vm, "machine_id", raw.get("machine_id"))
        _put(vm, "vsock_cid", raw.get("vsock_cid"))
        _put(vm, "interfaces", found)
        _put(vm, "span", key(path))
        _put(vm, "spans", TableSpans(spans, path, names))
        built[name] = vm
    return built if interfaces.as_written(vms) else None


_NO_INTERFACES = MappingProxyType({})


class _Interfaces:
    """Builds each VM's interfaces, and keeps their tables and networks for
    judging them together."""

    def __init__(self, spans: Any) -> None:
        self.spans, self.key = spans, spans.key
        self.networks: list[str] = []
        self.tables: list[dict] = []

    def read(self, vm: str, tables: Any) -> MappingProxyType | None:
        if type(tables) is not dict:
            return None
        found = {}
        spans, key = self.spans, self.key
        for network, table in tables.items():
            if type(table) is not dict:
                return None
            keys = tuple(table)
            names = _INTERFACE_SHAPES.get(keys) or _shape(
                keys, INTERFACE_KEYS, _INTERFACE_SHAPES
            )
            if names is None:
                return None
            path = ("vms", vm, "interfaces", network)
            interface = found[network] = _new(LockedInterface)
            _put(interface, "id", table.get("id"))
            _put(interface, "ipv4", table.get("ipv4"))
            _put(interface, "ipv6", table.get("ipv6"))
            _put(interface, "mac", table.get("mac"))
            _put(interface, "span", key(path))
            _put(interface, "spans", TableSpans(spans, path, names))
        self.networks.extend(tables)
        self.tables.extend(tables.values())
        return MappingProxyType(found)  # not copied: nothing else holds it

    def as_written(self, vms: dict) -> bool:
        return _as_written(vms, self.networks, self.tables)


def _as_written(vms: dict, networks: list, tables: list) -> bool:
    """Whether the plain reader would keep every value and report nothing."""
    if not _named(list(vms), "VM") or not _named(networks, "network"):
        return False
    vm_tables = list(vms.values())
    columns = {key: _column(vm_tables, key) for key in VM_KEYS}
    columns.update((key, _column(tables, key)) for key in INTERFACE_KEYS)
    if None in columns.values():
        return False
    if not all(_clean(key, columns[key]) for key in CLEAN):
        return False
    if not _cids(columns["vsock_cid"]) or not _ipv6(columns["ipv6"]):
        return False
    if not all(len(set(columns[key])) == len(columns[key]) for key in UNIQUE):
        return False
    return _unique_per_network(tables, networks, columns)


def _column(tables: list[dict], key: str) -> list | None:
    """The values of `key` in the tables that hold it, or None if one is
    falsy ("", 0, false: none is one fleetc writes): no Python step a value."""
    found = list(map(_get, tables, repeat(key)))
    values = list(filter(None, found))
    return values if len(values) + found.count(None) == len(found) else None


def _named(names: list, kind: str) -> bool:
    return _all_match(JOINED_NAMES[kind], names)


def _clean(key: str, values: list) -> bool:
    return _all_match(JOINED[key], values)


def _all_match(pattern: re.Pattern, values: list) -> bool:
    """Each value a str (not a subclass) that `pattern`'s item matches whole."""
    if not values:
        return True
    if set(map(type, values)) != {str}:
        return False
    joined = "\n".join(values)
    return joined.count("\n") == len(values) - 1 and bool(pattern.fullmatch(joined))


def _cids(values: list) -> bool:
    if not values:
        return True
    if set(map(type, values)) != {int}:
        return False
    return min(values) >= 3 and max(values) < CID_ANY


def _ipv6(values: list) -> bool:
    """Value by value, with the validator (fleets with IPv6 are few)."""
    return all(VALIDATORS["ipv6"](value) is None for value in values)


def _unique_per_network(tables: list, networks: list, columns: dict) -> bool:
    one = len(set(networks)) <= 1  # as most fleets: the values are the pairs
    for key in ("ipv4", "ipv6"):
        if one:
            held = columns[key]
        else:
            values = map(_get, tables, repeat(key))
            pairs = zip(networks, values, strict=True)
            held = [pair for pair in pairs if pair[1] is not None]
        if len(set(held)) != len(held):
            return False
    return True
