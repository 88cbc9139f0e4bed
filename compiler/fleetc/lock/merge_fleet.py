"""A merge of fleet.lock read with the fleet: the sides parsed, what the fleet
file settles settled, and what it cannot reported.

The CLI reads the three versions of fleet.lock from git's index (stages 1, 2
and 3 of an unmerged path) and hands them over as LockSides; the pure core
calls `merged_lock` in place of `parse_lock`. A value both branches changed
differently is settled by the fleet file where it writes that value (the
written value wins over every lock); anything else is an error (F821) naming
both values. A VM the merged branch renamed takes its new name when the fleet
keeps that name. A value taken
from the merged branch's VM because the current branch's VM holds it is a
warning (F820) naming both VMs and the new value, once allocation drew it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..core.diagnostics import Diagnostic, error, has_errors, warning
from ..core.model import Fleet, Vm
from ..core.source import Source
from .lockfile import Lock, LockedVm, Retired, freeze, parse_lock
from .merge import Conflict, LockMerge, Reassigned, merge_locks


@dataclass(frozen=True)
class LockSides:
    """fleet.lock as git holds it in an unmerged index: the merge base, the
    current branch, the branch merged in (None: that side has no lock), and
    the work tree's lock when it is one fleetc sealed (an earlier run of this
    merge), else None."""

    base: Source | None
    ours: Source | None
    theirs: Source | None
    current: Source | None = None


def merged_lock(
    sides: LockSides, fleet: Fleet
) -> tuple[LockMerge | None, list[Diagnostic]]:
    """The merge, settled by the fleet; None when a side cannot be read."""
    base, problems = _parsed(sides.base)
    ours, found = _parsed(sides.ours, base)
    problems += found
    theirs, found = _parsed(sides.theirs, base)
    problems += found
    if has_errors(problems):
        return None, problems
    merge = merge_locks(base, ours, theirs, _current(sides.current))
    merge, found = settle(merge, fleet)
    return merge, problems + found


def _parsed(source: Source | None, missing: Lock | None = None):
    """A side's lock; a side without one is the base (it changed nothing)."""
    if source is None:
        return (missing or Lock()), []
    return parse_lock(source)


def _current(source: Source | None) -> Lock | None:
    """The work tree's lock, only when it is sealed and reads without a word."""
    if source is None:
        return None
    lock, problems = parse_lock(source)
    return None if problems else lock


# -- what the fleet settles ------------------------------------------------------


def settle(merge: LockMerge, fleet: Fleet) -> tuple[LockMerge, list[Diagnostic]]:
    """The merged branch's renames carried out where the fleet keeps the new
    name; conflicts the fleet file writes a value for settled; errors for the
    rest."""
    vms = {vm.name: vm for vm in fleet.vms}
    for mine, other in merge.renamed:
        if other in vms and mine not in vms and mine in merge.lock.vms:
            merge = _renamed(merge, mine, other)
    problems = [
        problem
        for conflict in merge.conflicts
        if (problem := _unsettled(conflict, vms)) is not None
    ]
    return merge, problems


def _renamed(merge: LockMerge, mine: str, other: str) -> LockMerge:
    """VM `mine` as `other`, which the merged branch renamed it to and the
    fleet keeps: the entry moves, and its host stops it under the old name
    (what renamed_from and retire.py do on one branch)."""
    vms = {other if name == mine else name: e for name, e in merge.lock.vms.items()}
    entry = vms[other]
    retired = dict(merge.lock.retired)
    if entry.host is not None:
        retired[(mine, entry.host)] = _record(mine, entry, other)
    lock = Lock(freeze(vms), freeze(dict(sorted(retired.items()))))
    reassigned = tuple(_named_as(r, mine, other) for r in merge.reassigned)
    conflicts = tuple(_named_as(c, mine, other) for c in merge.conflicts)
    return replace(merge, lock=lock, reassigned=reassigned, conflicts=conflicts)


def _named_as(item, mine: str, other: str):
    """A conflict or reassignment of VM `mine`, now about `other`."""
    return replace(item, vm=other) if item.vm == mine else item


def _record(name: str, entry: LockedVm, renamed_to: str) -> Retired:
    taps = sorted({i.id for i in entry.interfaces.values() if i.id is not None})
    return Retired(name, entry.host, entry.machine_id, renamed_to, tuple(taps))


def _unsettled(conflict: Conflict, vms: dict[str, Vm]) -> Diagnostic | None:
    if conflict.field == "name":
        return _both_names(conflict, vms)
    vm = vms.get(conflict.vm)
    if vm is None or _written(vm, conflict) is not None:
        return None  # the VM left the fleet, or the value written there wins
    return _conflicting(conflict, vm)


def _written(vm: Vm, conflict: Conflict) -> Any:
    if conflict.network is None:
        return getattr(vm, conflict.field, None)
    for interface in vm.interfaces:
        if interface.network == conflict.network:
            return getattr(interface, conflict.field)
    return None


def _both_names(conflict: Conflict, vms: dict[str, Vm]) -> Diagnostic | None:
    """Both branches renamed the VM: fine when the fleet keeps one name."""
    if (conflict.ours in vms) != (conflict.theirs in vms):
        return None
    if conflict.ours not in vms:
        return None  # removed on top of both renames
    message = (
        f"merge: one VM was renamed to `{conflict.ours}` on this branch and to"
        f" `{conflict.theirs}` on the merged branch, and the fleet has both"
    )
    help = "keep one of the two names in the fleet file (with its renamed_from)"
    return error("F821", message, vms[conflict.ours].span, help=help)


def _conflicting(conflict: Conflict, vm: Vm) -> Diagnostic:
    where = f"{conflict.network} {conflict.field}" if conflict.network else None
    what = where or conflict.field
    message = (
        f"merge: vm `{conflict.vm}`: {what} is {_shown(conflict.ours)} on this"
        f" branch and {_shown(conflict.theirs)} on the merged branch"
    )
    return error("F821", message, vm.span, help=_pick_help(conflict))


def _pick_help(conflict: Conflict) -> str:
    table = f"[vms.{conflict.vm}]"
    if conflict.network is not None:
        table = f"the `{conflict.network}` interface of {table}"
    return (
        f"write the value the VM runs with in the fleet file ({conflict.field} ="
        f" {_shown(conflict.ours)} or {_shown(conflict.theirs)} in {table}),"
        " then run fleetc generate again"
    )


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


# -- values taken from the merged branch ---------------------------------------


def reassigned_warnings(
    merge: LockMerge | None, fleet: Fleet, new: Lock
) -> list[Diagnostic]:
    """F820 for each value a VM of the merged branch lost and was given anew."""
    if merge is None:
        return []
    vms = {vm.name: vm for vm in fleet.vms}
    found = []
    for lost in merge.reassigned:
        now = _value_in(new, lost)
        if lost.vm in vms and now != lost.value:
            found.append(_reassigned(lost, now, vms[lost.vm]))
    return found


def _value_in(lock: Lock, lost: Reassigned) -> Any:
    entry = lock.vms.get(lost.vm)
    if entry is not None and lost.network is not None:
        entry = entry.interfaces.get(lost.network)
    return getattr(entry, lost.field) if entry is not None else None


def _reassigned(lost: Reassigned, now: Any, vm: Vm) -> Diagnostic:
    what = f"{lost.network} {lost.field}" if lost.network else lost.field
    message = (
        f"merge: vm `{lost.vm}` had {what} {lost.value} on the merged branch,"
        f" which vm `{lost.holder}` has on this branch: `{lost.holder}` keeps it,"
        f" `{lost.vm}` gets {now if now is not None else 'none'}"
    )
    help = (
        f"if `{lost.vm}` already runs with {lost.value}, write that value in its"
        f" entry and give `{lost.holder}` another one"
    )
    return warning("F820", message, vm.span, help=help)
