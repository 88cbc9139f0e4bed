"""The three steps every allocator shares, in an order that keeps locks stable.

1. Values written in the fleet are held first: they win over everything.
2. Locked values are claimed next, VMs still on their locked host before VMs
   that moved (whose per-host values may have to give way).
3. Only then is anything new allocated, from what is left.

So a locked value can only be lost to a hand-written one, and that is reported
(F803), never resolved by moving it. Each pass is linear: one dict per scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Iterator

from ..core.diagnostics import Diagnostic, error
from ..lock.lockfile import Lock, LockedInterface, LockedVm
from ..core.model import Fleet, Interface, Vm
from ..core.source import Span

# The scope of values unique across the whole fleet (machine-ids, MACs).
FLEET_WIDE = "fleet"

# Where a value goes: (index of the VM, index of its interface or None, field).
Key = tuple[int, "int | None", str]


# Holders and slots are made by the ten thousand and never changed: slotted
# and unfrozen, as a frozen dataclass sets each field through
# object.__setattr__.
@dataclass(slots=True)
class Holder:
    """Who holds a value: named in diagnostics, located when it was written."""

    what: str
    span: Span | None = None
    locked: bool = False


@dataclass(slots=True)
class VmHolder:
    """A VM's own slot holds the value: as written (`span` its place in the
    fleet), as locked (its place in fleet.lock) or newly allocated (nowhere).
    Named and located only when a diagnostic reads it: every VM of a large
    fleet holds several values, and few are ever shown."""

    slot: Slot
    locked: bool = False
    written: bool = False

    @property
    def what(self) -> str:
        return f"vm `{self.slot.vm.name}`" + (" (fleet.lock)" if self.locked else "")

    @property
    def span(self) -> Span | None:
        if self.locked:
            return self.slot.locked_span
        return self.slot.written_span if self.written else None


@dataclass(slots=True)
class Slot:
    """One allocatable value of one VM, with what the fleet and the lock say."""

    key: Key
    vm: Vm
    scope: Hashable
    written: Any = None
    # The node that holds `written` (a VM or an interface), and the lock
    # entry that holds `locked`: their spans are looked up when needed.
    written_in: Vm | Interface | None = None
    locked: Any = None
    locked_in: LockedVm | LockedInterface | None = None
    # Locked on another host: its per-host values may give way.
    moved: bool = False
    interface: Interface | None = None

    @property
    def field(self) -> str:
        return self.key[2]

    @property
    def written_span(self) -> Span | None:
        return self.written_in.at(self.field) if self.written_in else None

    @property
    def locked_span(self) -> Span | None:
        return self.locked_in.at(self.field) if self.locked_in else None

    @property
    def lock_entry(self) -> str:
        table = f"vms.{self.vm.name}"
        if self.interface is not None:
            table += f".interfaces.{self.interface.network}"
        return f"`{self.field}` in [{table}]"


class Kind:
    """What one allocator knows: how to read, judge, show and invent its values.

    Subclasses implement `parse`, `describe` and `fresh`; the rest has defaults.
    """

    # parse, show and unusable read only the slot's scope: the fast path of an
    # unchanged fleet (as_locked.py) asks them without building slots.
    def parse(self, scope: Hashable, value: Any) -> Hashable | None:
        """The value as a key in its scope; None when malformed (the checks say so)."""
        raise NotImplementedError

    def describe(self, slot: Slot, key: Hashable) -> str:
        """The value in a sentence: "IPv4 address 10.0.0.3"."""
        raise NotImplementedError

    def fresh(self, slot: Slot, taken: dict[Hashable, Holder]) -> Hashable | None:
        """A new value not in `taken`, or None when the scope has run out."""
        raise NotImplementedError

    def show(self, scope: Hashable, key: Hashable) -> Any:
        """The value as the fleet and the lock hold it."""
        return key

    def unusable(self, scope: Hashable, key: Hashable) -> str | None:
        """Why a locked value can no longer be used here, or None."""
        return None

    def exhausted(self, starved: list[Slot], slots: list[Slot]) -> list[Diagnostic]:
        """Diagnostics for slots left without a value (only finite scopes run out)."""
        return []


@dataclass
class Settled:
    """Keys of every slot that has a value, and what went wrong with the others."""

    keys: dict[Key, Hashable] = field(default_factory=dict)
    # Slots whose locked value stands in the way: the lock keeps it, the fleet
    # gets none, and the run must stop.
    refused: dict[Key, Any] = field(default_factory=dict)
    starved: list[Slot] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


Taken = dict[Hashable, dict[Hashable, "Holder | VmHolder"]]


def settle(kind: Kind, slots: list[Slot], taken: Taken) -> Settled:
    settled = Settled()
    for slot in slots:
        if slot.written is not None:
            _hold_written(kind, slot, taken, settled)
    waiting = [s for s in slots if s.written is None]
    for slot in sorted(waiting, key=lambda s: s.moved):
        if slot.locked is not None:
            _claim_locked(kind, slot, taken, settled)
    for slot in waiting:
        if slot.key not in settled.keys and slot.key not in settled.refused:
            _allocate(kind, slot, taken, settled)
    return settled


def _hold_written(kind: Kind, slot: Slot, taken: Taken, settled: Settled) -> None:
    key = kind.parse(slot.scope, slot.written)
    if key is None:
        return  # malformed: the checks report it, and nothing is locked for it
    holder = VmHolder(slot, written=True)
    taken.setdefault(slot.scope, {}).setdefault(key, holder)
    settled.keys[slot.key] = key


def _claim_locked(kind: Kind, slot: Slot, taken: Taken, settled: Settled) -> None:
    key = kind.parse(slot.scope, slot.locked)
    scope = taken.setdefault(slot.scope, {})
    holder = scope.get(key) if key is not None else None
    reason = kind.unusable(slot.scope, key) if key is not None else "is malformed"
    if holder is None and reason is None:
        scope[key] = VmHolder(slot, locked=True)
        settled.keys[slot.key] = key
    elif not slot.moved:
        settled.refused[slot.key] = slot.locked
        settled.diagnostics.append(
            _taken(kind, slot, key, holder) if holder else _stale(slot, reason)
        )


def _allocate(kind: Kind, slot: Slot, taken: Taken, settled: Settled) -> None:
    scope = taken.setdefault(slot.scope, {})
    key = kind.fresh(slot, scope)
    if key is None:
        settled.starved.append(slot)
        return
    scope[key] = VmHolder(slot)
    settled.keys[slot.key] = key


def _taken(kind: Kind, slot: Slot, key: Hashable, holder: Holder) -> Diagnostic:
    vm = slot.vm.name
    message = (
        f"fleet.lock gives {kind.describe(slot, key)} to vm `{vm}`,"
        f" but {holder.what} has it now"
    )
    help = (
        f"give {holder.what} another value, or delete {slot.lock_entry} from"
        f" fleet.lock so that vm `{vm}` gets a new one"
    )
    span, label = _where(slot, holder)
    return error("F803", message, span, label=label, help=help)


def _where(slot: Slot, holder: Holder) -> tuple[Span | None, str]:
    """Point at the value written in the fleet (the likely edit), else the lock."""
    if holder.span is not None and not holder.locked:
        return holder.span, _located(
            f"locked for vm `{slot.vm.name}`", slot.locked_span
        )
    return slot.locked_span, _located(f"held by {holder.what}", holder.span)


def _stale(slot: Slot, reason: str) -> Diagnostic:
    message = f"fleet.lock's {slot.field} for vm `{slot.vm.name}` {reason}"
    help = f"delete {slot.lock_entry} from fleet.lock to have a new one allocated"
    return error("F803", message, slot.locked_span, help=help)


def _located(what: str, span: Span | None) -> str:
    return f"{what} ({span.location()})" if span is not None else what


# -- building slots -----------------------------------------------------------


def vm_slots(
    fleet: Fleet, lock: Lock, name: str, scope, per_host: bool = False, wanted=None
) -> Iterator[Slot]:
    """One slot per VM for field `name`; `scope(vm)` says where it must be unique.

    `per_host`: the value is unique per host, so a VM that moved may lose it.
    `wanted(vm)`: whether the VM gets the value at all (None: every VM does).
    """
    for index, vm in enumerate(fleet.vms):
        if wanted is not None and not wanted(vm):
            continue
        locked = lock.vms.get(vm.name) or LockedVm()
        moved = per_host and _moved(vm, locked)
        yield _slot((index, None, name), vm, scope(vm), vm, locked, moved)


def interface_slots(
    fleet: Fleet, lock: Lock, name: str, scope, per_host: bool = False
) -> Iterator[Slot]:
    """One slot per VM interface for field `name`; `scope(vm, interface)` is its
    uniqueness scope, or None where the interface gets no such value at all."""
    for index, vm in enumerate(fleet.vms):
        locked_vm = lock.vms.get(vm.name) or LockedVm()
        moved = per_host and _moved(vm, locked_vm)
        for position, interface in enumerate(vm.interfaces):
            where = scope(vm, interface)
            if where is None or getattr(interface, name) is False:
                continue
            locked = locked_vm.interfaces.get(interface.network) or LockedInterface()
            key = (index, position, name)
            yield _slot(key, vm, where, interface, locked, moved, interface)


def _slot(
    key: Key,
    vm: Vm,
    scope: Hashable,
    written: Vm | Interface,
    locked: LockedVm | LockedInterface,
    moved: bool,
    interface: Interface | None = None,
) -> Slot:
    """The slot for `key`: its field as `written` holds it and as `locked` does."""
    name = key[2]
    return Slot(
        key, vm, scope,
        getattr(written, name), written,
        getattr(locked, name), locked,
        moved, interface,
    )  # fmt: skip


def _moved(vm: Vm, locked: LockedVm) -> bool:
    return locked.host is not None and locked.host != vm.host


def hold(taken: Taken, holders: Iterable[tuple[Hashable, Hashable, Holder]]) -> Taken:
    """Values in use outside the slots (hosts' own ids, gateways): held first."""
    for scope, key, holder in holders:
        taken.setdefault(scope, {}).setdefault(key, holder)
    return taken
