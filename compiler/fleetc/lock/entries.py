"""What fleet.lock holds, as values: each VM's pinned values and the records
of VMs that left a host. Read and written by lockfile.py (and retired.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from ..core.model import Node

# A value as fleet.lock holds it, of any type: allocate/settle.py checks it
# where it is claimed (F802), so a compiled build must not check it on read.
LockValue = Any


@dataclass(frozen=True)
class LockedInterface(Node):
    """An interface's pinned values, by its network."""

    mac: LockValue = None
    ipv4: LockValue = None
    ipv6: LockValue = None
    id: LockValue = None


@dataclass(frozen=True)
class LockedVm(Node):
    """A VM's pinned values in fleet.lock."""

    host: str | None = None
    machine_id: LockValue = None
    vsock_cid: LockValue = None
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
