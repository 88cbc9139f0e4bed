"""Allocation: fill in every value the fleet left out, and pin it in the lock.

`allocate` is pure: randomness comes in through `entropy` (the CLI passes
`os.urandom`, what `secrets.token_bytes` returns), so a run is reproducible in
tests. Values written in the fleet win; locked values are reused; new values
never displace locked ones (see settle.py for the order that guarantees it).

Callers must not write the returned lock while any diagnostic is an error: a
refused locked value (F803) stays in it unchanged, but the fleet lacks it.

May import: core, lock. Never: output, nixbuild, review, cli (tests/test_layers.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, NamedTuple

from ..core.diagnostics import Diagnostic
from ..lock.lockfile import Lock, LockedInterface, LockedVm, freeze
from ..core.model import Fleet, Interface, Vm
from . import machine_ids, macs, taps, vsock
from .addresses import Addresses
from .changes import lock_changes
from .settle import Key, Kind, Settled, Slot, Taken, settle

__all__ = ["Entropy", "allocate", "lock_changes"]

Entropy = Callable[[int], bytes]


def allocate(
    fleet: Fleet, lock: Lock, entropy: Entropy
) -> tuple[Fleet, Lock, list[Diagnostic]]:
    values: dict[Key, Value] = {}
    diagnostics: list[Diagnostic] = []
    for kind, slots, taken in _allocators(fleet, lock, entropy):
        settled = settle(kind, slots, taken)
        values.update(_values(kind, slots, settled))
        diagnostics += settled.diagnostics
        if settled.starved:
            diagnostics += kind.exhausted(settled.starved, slots)
    return _filled(fleet, values), _locked(fleet, values), diagnostics


def _allocators(fleet: Fleet, lock: Lock, entropy: Entropy):
    """(kind, slots, values already taken) for each allocated field."""
    ids = machine_ids.MachineIds(fleet.machine_ids, entropy)
    yield ids, machine_ids.slots(fleet, lock), machine_ids.taken(fleet)
    yield macs.Macs(fleet), macs.slots(fleet, lock), macs.taken(fleet)
    yield taps.TapIds(), taps.slots(fleet, lock), taps.taken(fleet)
    yield vsock.VsockCids(), vsock.slots(fleet, lock), vsock.taken(fleet)
    addresses = Addresses(fleet)
    taken: Taken = addresses.taken(fleet)
    for version in (4, 6):
        yield addresses, addresses.slots(fleet, lock, version), taken


class Value(NamedTuple):
    """A slot's outcome: what the fleet gets (None: nothing) and the lock keeps."""

    fleet: Any
    lock: Any


def _values(kind: Kind, slots: list[Slot], settled: Settled) -> dict[Key, Value]:
    found = {}
    for slot in slots:
        if slot.key in settled.keys:
            shown = kind.show(slot, settled.keys[slot.key])
            found[slot.key] = Value(shown, shown)
        elif slot.key in settled.refused:
            found[slot.key] = Value(None, settled.refused[slot.key])
    return found


def _filled(fleet: Fleet, values: dict[Key, Value]) -> Fleet:
    vms = tuple(_filled_vm(index, vm, values) for index, vm in enumerate(fleet.vms))
    return replace(fleet, vms=vms)


def _filled_vm(index: int, vm: Vm, values: dict[Key, Value]) -> Vm:
    interfaces = tuple(
        _with(interface, _fields(values, index, position, interface))
        for position, interface in enumerate(vm.interfaces)
    )
    return _with(vm, {"interfaces": interfaces, **_fields(values, index, None, vm)})


def _with(node: Vm | Interface, changes: dict[str, Any]) -> Vm | Interface:
    """dataclasses.replace(node, **changes) without running the frozen
    __init__ again (20,000 calls at 10,000 VMs, a fifth of allocating them):
    a copy of the node's fields with `changes` over them. Sound for these two,
    whose __dict__ holds their fields only (no __post_init__, no cached
    lookups as Fleet has); test_fast_paths.py compares it with replace."""
    copy = object.__new__(type(node))
    copy.__dict__.update(node.__dict__)
    copy.__dict__.update(changes)
    return copy


def _fields(
    values: dict[Key, Value], index: int, position: int | None, node: Vm | Interface
) -> dict[str, Any]:
    """Only fields the node left out: written values stay exactly as written."""
    names = INTERFACE_FIELDS if position is not None else VM_FIELDS
    return {
        name: values[key].fleet
        for name in names
        if getattr(node, name) is None
        and (key := (index, position, name)) in values
        and values[key].fleet is not None
    }


VM_FIELDS = ("machine_id", "vsock_cid")
INTERFACE_FIELDS = ("mac", "ipv4", "ipv6", "id")


def _locked(fleet: Fleet, values: dict[Key, Value]) -> Lock:
    """Exactly the fleet's VMs: entries of removed VMs are dropped here."""
    return Lock(
        freeze({vm.name: _locked_vm(i, vm, values) for i, vm in enumerate(fleet.vms)})
    )


def _locked_vm(index: int, vm: Vm, values: dict[Key, Value]) -> LockedVm:
    interfaces = {
        interface.network: LockedInterface(
            **_lock_fields(values, index, position, INTERFACE_FIELDS)
        )
        for position, interface in enumerate(vm.interfaces)
    }
    own = _lock_fields(values, index, None, VM_FIELDS)
    return LockedVm(host=vm.host, interfaces=freeze(interfaces), **own)


def _lock_fields(
    values: dict[Key, Value], index: int, position: int | None, names: tuple
) -> dict[str, Any]:
    return {
        name: values[key].lock
        for name in names
        if (key := (index, position, name)) in values
    }
