"""What fleet.lock holds, as values: each VM's pinned values and the records
of VMs that left a host. Read and written by lockfile.py (and retired.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from ..core.model import Node


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
