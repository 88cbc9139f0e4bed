"""What fleet.lock holds, as values: each VM's pinned values and the records
of VMs that left a host. Read and written by lockfile.py (and retired.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterator, Mapping

from ..core.model import Node
from ..core.source import Span

VM_KEYS = ("host", "machine_id", "vsock_cid")
INTERFACE_KEYS = ("id", "ipv4", "ipv6", "mac")


@dataclass(frozen=True)
class LockedInterface(Node):
    """An interface's pinned values, by its network."""

    mac: str | None = None
    ipv4: str | None = None
    ipv6: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class LockedVm(Node):
    """A VM's pinned values in fleet.lock."""

    host: str | None = None
    machine_id: str | None = None
    vsock_cid: int | None = None
    # network name -> that interface's values
    interfaces: Mapping[str, LockedInterface] = field(
        default_factory=lambda: MappingProxyType({})
    )


@dataclass(frozen=True)
class Retired(Node):
    """A VM that left `host` (removed, moved or renamed): the host's module
    stops it and deletes its taps until `fleetc generate --forget <vm>`."""

    vm: str
    host: str
    machine_id: str | None = None
    renamed_to: str | None = None
    taps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lock:
    """fleet.lock as values: the VMs' pinned values and the retired records."""

    vms: Mapping[str, LockedVm] = field(default_factory=lambda: MappingProxyType({}))
    # (vm, host) -> the record of a VM still to be stopped on that host
    retired: Mapping[tuple[str, str], Retired] = field(
        default_factory=lambda: MappingProxyType({})
    )


def freeze(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


class TableSpans(Mapping):
    """The spans of one lock table's values, each made when it is read (by a
    diagnostic, mostly never): one object a table, not a Span a value (70,000
    at 10,000 VMs). Each is the Span `SpanIndex.value_in` gives."""

    __slots__ = ("_spans", "_path", "_names")

    def __init__(self, spans: Any, path: tuple, names: tuple[str, ...]):
        self._spans, self._path, self._names = spans, path, names

    def __getitem__(self, name: str) -> Span:
        if name not in self._names:
            raise KeyError(name)
        return self._spans.value_in(self._path, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def key_span(self) -> Span:
        """The span of the table's own key (its header's last part)."""
        return self._spans.key(self._path)


class _KeySpan:
    """The `span` of a lock entry (LockedVm, LockedInterface): what was set
    (by __init__, model.made), else the key's span, made from the entry's
    TableSpans when first read (by a diagnostic, mostly never) rather than
    once a table by fast_read.py (20,000 at 10,000 VMs). Kept as `_span`, an
    attribute like the fields, so that no entry grows a __dict__ of its own."""

    def __get__(self, entry: Node | None, owner: type | None = None) -> Span | None:
        if entry is None:
            return None  # the field's default, read from the class
        try:
            return entry._span  # type: ignore[attr-defined]
        except AttributeError:
            spans = entry.spans
            span = spans.key_span() if isinstance(spans, TableSpans) else None
            object.__setattr__(entry, "_span", span)
            return span

    def __set__(self, entry: Node, span: Span | None) -> None:
        object.__setattr__(entry, "_span", span)


# Set after the classes are made: the dataclass keeps `span` a field.
LockedVm.span = LockedInterface.span = _KeySpan()  # type: ignore[assignment]
