"""A merge of fleet.lock read with the fleet: the sides parsed, what the fleet
file settles settled, and what it cannot reported.

The CLI reads the three versions of fleet.lock from git's index (stages 1, 2
and 3 of an unmerged path) and hands them over as LockSides; the pure core
calls `merged_lock` in place of `parse_lock`. A value both branches changed
differently is settled by the fleet file where it writes that value (the
written value wins over every lock) and, for a VM's host, by where the fleet
places it; anything else is an error (F821) naming both values. A value taken
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

PER_HOST = ("id", "vsock_cid")


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
    lock, found = settle(merge, fleet)
    return replace(merge, lock=lock), problems + found


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


# -- conflicts the fleet settles ----------------------------------------------


def settle(merge: LockMerge, fleet: Fleet) -> tuple[Lock, list[Diagnostic]]:
    vms = {vm.name: vm for vm in fleet.vms}
    lock, problems = merge.lock, []
    hosts = {c.vm: c for c in merge.conflicts if c.field == "host"}
    for conflict in merge.conflicts:
        lock, problem = _settled(lock, conflict, vms, hosts)
        problems += [problem] if problem is not None else []
    return lock, problems


def _settled(lock: Lock, conflict: Conflict, vms: dict[str, Vm], hosts: dict):
    if conflict.field == "name":
        return _named(lock, conflict, vms)
    vm = vms.get(conflict.vm)
    if vm is None:
        return lock, None  # the VM left the fleet
    if conflict.field == "host":
        return _placed(lock, conflict, vm), None
    if _written(vm, conflict) is not None:
        return lock, None  # the value written in the fleet file wins
    if conflict.field in PER_HOST and conflict.vm in hosts:
        side = "theirs" if hosts[conflict.vm].theirs == vm.host else "ours"
        return _set(lock, conflict, getattr(conflict, side)), None
    return lock, _conflicting(conflict, vm)


def _written(vm: Vm, conflict: Conflict) -> Any:
    if conflict.network is None:
        return getattr(vm, conflict.field, None)
    for interface in vm.interfaces:
        if interface.network == conflict.network:
            return getattr(interface, conflict.field)
    return None


def _set(lock: Lock, conflict: Conflict, value: Any) -> Lock:
    vms = dict(lock.vms)
    vm = vms[conflict.vm]
    if conflict.network is None:
        vms[conflict.vm] = replace(vm, **{conflict.field: value})
    else:
        interfaces = dict(vm.interfaces)
        interfaces[conflict.network] = replace(
            interfaces[conflict.network], **{conflict.field: value}
        )
        vms[conflict.vm] = replace(vm, interfaces=freeze(interfaces))
    return Lock(freeze(vms), lock.retired)


def _placed(lock: Lock, conflict: Conflict, vm: Vm) -> Lock:
    """Both branches moved the VM, to different hosts: the fleet places it.
    The lock keeps the branch's host the fleet chose (else ours), and the
    other branch's host gets a retirement record: the VM may run there."""
    chosen = conflict.theirs if vm.host == conflict.theirs else conflict.ours
    other = conflict.ours if chosen == conflict.theirs else conflict.theirs
    lock = _set(lock, conflict, chosen)
    if other == vm.host:
        return lock
    entry = lock.vms[conflict.vm]
    record = _record(conflict.vm, other, entry)
    retired = {**lock.retired, (conflict.vm, other): record}
    return Lock(lock.vms, freeze(dict(sorted(retired.items()))))


def _record(name: str, host: str, entry: LockedVm) -> Retired:
    taps = sorted({i.id for i in entry.interfaces.values() if i.id is not None})
    return Retired(name, host, entry.machine_id, None, tuple(taps))


def _named(lock: Lock, conflict: Conflict, vms: dict[str, Vm]):
    """Both branches renamed the VM: the fleet keeps one of the names."""
    mine, other = conflict.ours, conflict.theirs
    if (mine in vms) == (other in vms):
        if mine not in vms:
            return lock, None  # removed on top of both renames
        return lock, _both_names(conflict, vms[mine])
    if mine in vms:
        return lock, None
    entries = {other if name == mine else name: e for name, e in lock.vms.items()}
    return Lock(freeze(entries), lock.retired), None


def _both_names(conflict: Conflict, vm: Vm) -> Diagnostic:
    message = (
        f"merge: one VM was renamed to `{conflict.ours}` on this branch and to"
        f" `{conflict.theirs}` on the merged branch, and the fleet has both"
    )
    help = "keep one of the two names in the fleet file (with its renamed_from)"
    return error("F821", message, vm.span, help=help)


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
