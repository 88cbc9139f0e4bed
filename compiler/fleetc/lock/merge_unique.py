"""After a three-way merge of fleet.lock (merge.py): values unique again, and
what an earlier run of the same merge drew kept.

Two branches allocate alike: each gives its new VM the lowest free address of
a network, so both new VMs have the same one. A value unique in its scope
(machine-ids and MACs fleet-wide, addresses per network, tap ids and vsock
CIDs per host) held by two VMs of the merged lock stays with the VM that holds
it on the current branch; the other loses it, and allocation gives it a new
one (reported, merge_fleet.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator

from .lockfile import INTERFACE_KEYS, VM_KEYS, Lock, LockedVm, freeze


@dataclass(frozen=True)
class Reassigned:
    """A value the merged branch gave `vm`, which `holder` has on this branch."""

    vm: str
    field: str
    network: str | None
    value: Any
    holder: str


# Field -> its uniqueness scope, from the VM's entry and the interface's network.
SCOPES: dict[str, Callable[[LockedVm, "str | None"], tuple]] = {
    "machine_id": lambda vm, network: ("machine_id",),
    "mac": lambda vm, network: ("mac",),
    "ipv4": lambda vm, network: ("ipv4", network),
    "ipv6": lambda vm, network: ("ipv6", network),
    "id": lambda vm, network: ("id", vm.host),
    "vsock_cid": lambda vm, network: ("vsock_cid", vm.host),
}

# (VM, network or None for the VM's own fields, field)
Place = tuple[str, "str | None", str]


def unique(lock: Lock, ours: Lock) -> tuple[Lock, tuple[Reassigned, ...]]:
    """`lock` with each value held by one VM only, and who lost which."""
    claims: dict[tuple, list[Place]] = {}
    for place, value in _values(lock):
        vm = lock.vms[place[0]]
        scope = SCOPES[place[2]](vm, place[1])
        claims.setdefault((scope, value), []).append(place)
    lost: list[Reassigned] = []
    for (_scope, value), places in claims.items():
        if len(places) > 1:
            lost += _losers(value, places, ours)
    return _without(lock, lost), tuple(lost)


def _values(lock: Lock) -> Iterator[tuple[Place, Any]]:
    for name in sorted(lock.vms):
        vm = lock.vms[name]
        for key in VM_KEYS:
            if key in SCOPES and getattr(vm, key) is not None:
                yield (name, None, key), getattr(vm, key)
        for network in sorted(vm.interfaces):
            interface = vm.interfaces[network]
            for key in INTERFACE_KEYS:
                if getattr(interface, key) is not None:
                    yield (name, network, key), getattr(interface, key)


def _losers(value, places: list[Place], ours: Lock):
    """Everyone but the keeper: the VM holding the value on the current
    branch, else the first by name."""
    mine = [p for p in places if _on_ours(p, ours) == value]
    keeper = (mine or places)[0]
    return [
        Reassigned(vm, key, network, value, keeper[0])
        for vm, network, key in places
        if (vm, network, key) != keeper
    ]


def _on_ours(place: Place, ours: Lock) -> Any:
    """The value at `place` on the current branch (the merged lock names VMs
    as it does)."""
    vm, network, key = place
    entry = ours.vms.get(vm)
    if entry is None:
        return None
    if network is None:
        return getattr(entry, key)
    interface = entry.interfaces.get(network)
    return getattr(interface, key) if interface is not None else None


def _without(lock: Lock, lost: list[Reassigned]) -> Lock:
    """`lock` without the values the reassigned VMs lost."""
    if not lost:
        return lock
    vms = dict(lock.vms)
    for gone in lost:
        vm = vms[gone.vm]
        if gone.network is None:
            vms[gone.vm] = replace(vm, **{gone.field: None})
        else:
            interfaces = dict(vm.interfaces)
            interfaces[gone.network] = replace(
                interfaces[gone.network], **{gone.field: None}
            )
            vms[gone.vm] = replace(vm, interfaces=freeze(interfaces))
    return Lock(freeze(vms), lock.retired)


def overlay(merged: Lock, current: Lock) -> Lock:
    """`merged`, with every value `current` has where `merged` has none (VMs
    added since, values an earlier run allocated): nothing drawn twice."""
    vms = dict(merged.vms)
    for name, entry in current.vms.items():
        vms[name] = _filled(vms[name], entry) if name in vms else entry
    return Lock(freeze(vms), merged.retired)


def _filled(merged: LockedVm, current: LockedVm) -> LockedVm:
    own = _open_fields(merged, current, VM_KEYS)
    interfaces = dict(merged.interfaces)
    for network, entry in current.interfaces.items():
        was = interfaces.get(network)
        fields = _open_fields(was, entry, INTERFACE_KEYS) if was is not None else {}
        interfaces[network] = replace(was, **fields) if was is not None else entry
    return replace(merged, **own, interfaces=freeze(interfaces))


def _open_fields(merged, current, keys: tuple[str, ...]) -> dict[str, Any]:
    return {
        key: getattr(current, key)
        for key in keys
        if getattr(merged, key) is None and getattr(current, key) is not None
    }
