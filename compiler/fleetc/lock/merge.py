"""Three-way merge of fleet.lock, for a git merge of two branches of a fleet.

Pure: three Locks in (`base`, the merge base; `ours`, the current branch;
`theirs`, the branch merged in), one merged Lock out, with what could not be
merged. The rules (docs/fleet-format.md, "Merging branches"):

- every value either side pinned is kept for its VM: a value one side changed
  and the other did not takes the change; one side released and the other
  changed keeps the changed (pinned) value;
- a VM one side renamed (its retirement record says `renamed_to`) is the same
  VM on the other side: the two versions are merged under the current
  branch's name, and the merged branch's rename is carried out once the fleet
  file says which name stays (merge_fleet.py), so the result is the one a
  fleet written with the current branch's change first, then the other's,
  gets: as if the two changes were made one after the other;
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
    freeze,
)
from .merge_unique import Reassigned, overlay, unique

# Changed apart on both branches, these are the current branch's, never a
# conflict: the host (the fleet file places the VM, and fleetc stops it where
# this branch had it), and what each branch drew for its host.
THIS_BRANCHS = ("host", "id", "vsock_cid")

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
    """fleet.lock merged from both sides of a git merge, and what it found."""

    lock: Lock
    ours: Lock  # the current branch's lock: changes and plans are shown against it
    conflicts: tuple[Conflict, ...] = ()
    reassigned: tuple[Reassigned, ...] = ()
    # (name here, name on the merged branch): VMs the merged branch renamed,
    # renamed with the fleet (merge_fleet.py)
    renamed: tuple[tuple[str, str], ...] = ()

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.reassigned


def merge_locks(
    base: Lock, ours: Lock, theirs: Lock, current: Lock | None = None
) -> LockMerge:
    """The merged lock. `current`: a lock fleetc already wrote in this merge
    (the work tree's, sealed), whose values fill what the merge leaves open,
    so that a value drawn by an earlier run is not drawn again."""
    vms, conflicts, renamed = _merge_vms(base, ours, theirs)
    merged = Lock(freeze(vms), freeze(_merge_retired(base, ours, theirs)))
    merged, reassigned = unique(merged, ours)
    if current is not None:  # after: a value taken from a VM may be refilled
        merged, again = unique(overlay(merged, current), ours)
        reassigned += again
    return LockMerge(merged, ours, tuple(conflicts), reassigned, tuple(renamed))


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


def _by_base_name(base: Lock, side: Lock) -> dict[str, tuple[str, LockedVm]]:
    """The side's entries by the name the base knew: (the side's name, entry)."""
    old_names = {new: old for old, new in renames(base, side).items()}
    return {old_names.get(name, name): (name, vm) for name, vm in side.vms.items()}


def _merge_vms(base: Lock, ours: Lock, theirs: Lock):
    """VMs by the name the current branch gives them (the merged branch's
    renames are carried out with the fleet, merge_fleet.py), each merged."""
    ours_by, theirs_by = _by_base_name(base, ours), _by_base_name(base, theirs)
    vms: dict[str, LockedVm] = {}
    conflicts: list[Conflict] = []
    renamed: list[tuple[str, str]] = []
    for key in sorted(base.vms.keys() | ours_by.keys() | theirs_by.keys()):
        mine, other = ours_by.get(key), theirs_by.get(key)
        name = (mine or other)[0]
        if mine and other and mine[0] != other[0]:
            renamed.append((mine[0], other[0]))
            if mine[0] != key:  # renamed apart on both branches
                conflicts.append(Conflict(mine[0], "name", None, mine[0], other[0]))
        sides = (base.vms.get(key), _entry(mine), _entry(other))
        entry = _merge_entry(name, *sides, renamed=name != key)
        if entry is not None:
            vms[name], found = entry
            conflicts += found
    return vms, conflicts, renamed


def _entry(named: tuple[str, LockedVm] | None) -> LockedVm | None:
    return named[1] if named is not None else None


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
    """The VM's values merged; its host is the current branch's: where the
    fleet places it now, fleetc stops it where this branch had it."""
    values, spans, conflicts = _merge_fields(name, None, VM_KEYS, base, ours, theirs)
    # Where this branch placed it, even when only the other moved it: the
    # fleet file places it now, and retire.py stops it where this branch had it.
    values["host"] = ours.host or theirs.host
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
    """Each field merged three ways, with the span of the side it came from.
    Tap ids and vsock CIDs both branches changed are this branch's: each
    branch drew them for its own host, and allocation settles a move."""
    values: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    conflicts: list[Conflict] = []
    for key in keys:
        mine, other = getattr(ours, key), getattr(theirs, key)
        value, side = three_way(getattr(base, key), mine, other)
        if side is None:
            if key not in THIS_BRANCHS:
                conflicts.append(Conflict(vm, key, network, mine, other))
            side = "ours"
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
    was forgotten or came back) and the other kept as it was is dropped; one
    both sides wrote, differently, is this branch's."""
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
            found[key] = mine if other == was else other if mine == was else mine
    return found
