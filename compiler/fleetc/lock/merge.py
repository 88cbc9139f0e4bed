"""Three-way merge of fleet.lock, for a git merge of two branches of a fleet.

Pure: three Locks in (`base`, the merge base; `ours`, the current branch;
`theirs`, the branch merged in), one merged Lock out, with what could not be
merged. The rules (docs/fleet-format.md, "Merging branches"):

- every value either side pinned is kept for its VM: a value one side changed
  and the other did not takes the change; one side released and the other
  changed keeps the changed (pinned) value;
- a VM one side renamed (its retirement record says `renamed_to`) is the same
  VM on the other side: the other side's changes follow it to its new name;
- a VM one side removed and the other left as it was is removed; one the
  other side changed is kept (the fleet file decides whether it stays);
- a value both sides changed differently is a Conflict (both values named;
  merge_fleet.py decides, with the fleet, whether it is an error);
- one value given by the two sides to two different VMs is kept by the VM of
  the current branch, and taken from the other, which is allocated again
  (merge_unique.py: a Reassigned each).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.source import Span, SpanMap
from .lockfile import (
    INTERFACE_KEYS,
    VM_KEYS,
    Lock,
    LockedInterface,
    LockedVm,
    Retired,
    freeze,
)
from .merge_unique import Reassigned, overlay, unique

__all__ = ["Conflict", "LockMerge", "Reassigned", "merge_locks", "three_way"]


@dataclass(frozen=True)
class Conflict:
    """A value both sides changed differently (`field` "name": both renamed)."""

    vm: str  # the VM's name in the merged lock
    field: str
    network: str | None
    ours: Any
    theirs: Any


@dataclass(frozen=True)
class LockMerge:
    lock: Lock
    ours: Lock  # the current branch's lock: changes and plans are shown against it
    conflicts: tuple[Conflict, ...] = ()
    reassigned: tuple[Reassigned, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.reassigned


def merge_locks(
    base: Lock, ours: Lock, theirs: Lock, current: Lock | None = None
) -> LockMerge:
    """The merged lock. `current`: a lock fleetc already wrote in this merge
    (the work tree's, sealed), whose values fill what the merge leaves open,
    so that a value drawn by an earlier run is not drawn again."""
    vms, conflicts = _merge_vms(base, ours, theirs)
    merged = Lock(freeze(vms), freeze(_merge_retired(base, ours, theirs)))
    merged = overlay(merged, current) if current is not None else merged
    merged, reassigned = unique(merged, ours, _names_on_ours(base, ours, theirs))
    return LockMerge(merged, ours, tuple(conflicts), tuple(reassigned))


# -- VMs -----------------------------------------------------------------------


def renames(base: Lock, side: Lock) -> dict[str, str]:
    """Old name -> new name, for each VM of `base` the side renamed."""
    found = {}
    for (vm, _host), record in sorted(side.retired.items()):
        new = record.renamed_to
        if (
            new is not None
            and vm in base.vms
            and vm not in side.vms
            and new in side.vms
            and new not in base.vms
        ):
            found.setdefault(vm, new)
    return found


def _by_base_name(side: Lock, renamed: dict[str, str]) -> dict[str, LockedVm]:
    """The side's entries, a renamed VM's under the name the base knew."""
    new_names = {new: old for old, new in renamed.items()}
    return {new_names.get(name, name): vm for name, vm in side.vms.items()}


def _names_on_ours(base: Lock, ours: Lock, theirs: Lock) -> dict[str, str]:
    """Merged name -> the name the VM has on the current branch."""
    ours_renamed, theirs_renamed = renames(base, ours), renames(base, theirs)
    found = {name: name for name in ours.vms}
    for old, new in theirs_renamed.items():
        if old not in ours_renamed and old in ours.vms:
            found[new] = old
    return found


def _merge_vms(base: Lock, ours: Lock, theirs: Lock):
    ours_renamed, theirs_renamed = renames(base, ours), renames(base, theirs)
    ours_by = _by_base_name(ours, ours_renamed)
    theirs_by = _by_base_name(theirs, theirs_renamed)
    vms: dict[str, LockedVm] = {}
    conflicts: list[Conflict] = []
    for name in sorted(base.vms.keys() | ours_by.keys() | theirs_by.keys()):
        new_name, problem = _name(name, ours_renamed, theirs_renamed)
        conflicts += [problem] if problem else []
        sides = (base.vms.get(name), ours_by.get(name), theirs_by.get(name))
        entry = _merge_entry(new_name, *sides, renamed=new_name != name)
        if entry is not None:
            vms[new_name], found = entry
            conflicts += found
    return vms, conflicts


def _name(name: str, ours: dict[str, str], theirs: dict[str, str]):
    """The VM's merged name, and a Conflict when the sides renamed it apart."""
    mine, other = ours.get(name, name), theirs.get(name, name)
    if mine == other or other == name:
        return mine, None
    if mine == name:
        return other, None
    return mine, Conflict(mine, "name", None, mine, other)


def _merge_entry(name, base, ours, theirs, renamed: bool):
    """(entry, conflicts) for one VM, or None when the merge removes it: one
    side removed it and the other neither changed nor renamed it."""
    if ours is None and theirs is None:
        return None
    if ours is None or theirs is None:
        kept = ours if ours is not None else theirs
        return None if kept == base and not renamed else (kept, [])
    return _merge_vm(name, base or LockedVm(), ours, theirs)


def _merge_vm(name: str, base: LockedVm, ours: LockedVm, theirs: LockedVm):
    values, spans, conflicts = _merge_fields(name, None, VM_KEYS, base, ours, theirs)
    interfaces = {}
    for network in sorted(
        base.interfaces.keys() | ours.interfaces.keys() | theirs.interfaces.keys()
    ):
        sides = [side.interfaces.get(network) for side in (base, ours, theirs)]
        merged, found = _merge_interface(name, network, *sides)
        conflicts += found
        if merged is not None:
            interfaces[network] = merged
    entry = LockedVm(
        **values, interfaces=freeze(interfaces), span=ours.span, spans=SpanMap(spans)
    )
    return entry, conflicts


def _merge_interface(vm: str, network: str, base, ours, theirs):
    if ours is None and theirs is None:
        return None, []
    if ours is None or theirs is None:
        kept = ours if ours is not None else theirs
        return (None, []) if kept == base else (kept, [])
    base = base or LockedInterface()
    values, spans, conflicts = _merge_fields(
        vm, network, INTERFACE_KEYS, base, ours, theirs
    )
    return LockedInterface(**values, span=ours.span, spans=SpanMap(spans)), conflicts


def _merge_fields(vm: str, network: str | None, keys, base, ours, theirs):
    """Each field merged three ways, with the span of the side it came from."""
    values: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    conflicts: list[Conflict] = []
    for key in keys:
        mine, other = getattr(ours, key), getattr(theirs, key)
        value, side = three_way(getattr(base, key), mine, other)
        if side is None:
            conflicts.append(Conflict(vm, key, network, mine, other))
            side = ours
        values[key] = value
        where = (ours if side == "ours" else theirs).spans.get(key)
        if where is not None and value is not None:
            spans[key] = where
    return values, spans, conflicts


def three_way(base: Any, ours: Any, theirs: Any) -> tuple[Any, str | None]:
    """(the merged value, the side it comes from); side None: both changed it
    differently (the value is then ours). A side that released a value the
    other changed keeps the changed one: it is pinned."""
    if ours == theirs or theirs == base:
        return ours, "ours"
    if ours == base or ours is None:
        return theirs, "theirs"
    if theirs is None:
        return ours, "ours"
    return ours, None


# -- retirement records --------------------------------------------------------


def _merge_retired(base: Lock, ours: Lock, theirs: Lock) -> dict:
    """Records kept or added by either side; a record one side dropped (the VM
    was forgotten or came back) and the other kept as it was is dropped."""
    found = {}
    for key in sorted(
        base.retired.keys() | ours.retired.keys() | theirs.retired.keys()
    ):
        was, mine, other = (side.retired.get(key) for side in (base, ours, theirs))
        if mine is None or other is None:
            kept = mine if mine is not None else other
            if kept is not None and kept != was:
                found[key] = kept
        else:
            found[key] = _joined_record(mine, other)
    return found


def _joined_record(ours: Retired, theirs: Retired) -> Retired:
    """One VM retired from one host on both sides: every tap either stops,
    the new name either knows."""
    taps = tuple(sorted(set(ours.taps) | set(theirs.taps)))
    return Retired(
        ours.vm,
        ours.host,
        ours.machine_id or theirs.machine_id,
        ours.renamed_to or theirs.renamed_to,
        taps,
        span=ours.span,
    )
