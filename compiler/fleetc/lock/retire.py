"""Retired VMs: a VM that leaves a host is stopped there (microvm.nix #508, #302).

A host only knows the VMs it declares; one removed from the fleet, moved to
another host or renamed keeps running where it ran, with its taps. fleet.lock
records each VM's host, so fleetc sees it leave: `retire` adds a record
`[retired.<vm>.<host>]` (machine-id, tap ids, new name) to the new lock, and
the host's module then carries a stop unit (emit/retired.py).

How long a record stays is explicit: until `fleetc generate --forget <vm>`,
run once every host was switched to a configuration holding the stop unit
(only the operator knows when a host was deployed); or until the VM comes back
to that host, when its record would stop it again. `fleetc plan` lists the
records still held.
"""

from __future__ import annotations

from dataclasses import replace

from ..core.diagnostics import Diagnostic, warning
from .lockfile import Lock, LockedVm, Retired, freeze
from ..core.model import Fleet


def retire(
    fleet: Fleet, old: Lock, new: Lock, forget: tuple[str, ...] = ()
) -> tuple[Lock, list[Diagnostic]]:
    """`new` with the retirement records the change adds, keeps and drops."""
    records = dict(old.retired)
    records.update(_left(fleet, old, new))
    placed = {(vm.name, vm.host) for vm in fleet.vms}
    kept = {k: r for k, r in records.items() if k not in placed and k[0] not in forget}
    problems = _unknown_forgets(records, forget) + _hostless(fleet, kept)
    problems += _stray_deletes(fleet, kept)
    return replace(new, retired=freeze(dict(sorted(kept.items())))), problems


def _left(fleet: Fleet, old: Lock, new: Lock) -> dict[tuple[str, str], Retired]:
    """A record for each VM whose locked host is no longer its host."""
    renamed_to = {vm.renamed_from: vm.name for vm in fleet.vms if vm.renamed_from}
    found = {}
    for name, entry in old.vms.items():
        now = new.vms.get(name)
        if entry.host is None or (now is not None and now.host == entry.host):
            continue
        found[(name, entry.host)] = _record(name, entry, renamed_to.get(name))
    return found


def _record(name: str, entry: LockedVm, renamed_to: str | None) -> Retired:
    taps = sorted({i.id for i in entry.interfaces.values() if i.id is not None})
    return Retired(name, entry.host, entry.machine_id, renamed_to, tuple(taps))


def _unknown_forgets(records: dict, forget: tuple[str, ...]) -> list[Diagnostic]:
    retired = {vm for vm, _ in records}
    return [
        warning(
            "F810",
            f"--forget {name}: fleet.lock holds no retired VM `{name}`",
            None,
            help="`fleetc plan` lists the retired VMs",
        )
        for name in forget
        if name not in retired
    ]


def _hostless(fleet: Fleet, records: dict) -> list[Diagnostic]:
    return [
        warning(
            "F811",
            f"VM `{vm}` left host `{host}`, which is no longer in the fleet:"
            " fleetc cannot stop it there",
            None,
            help=f"stop microvm@{vm} on `{host}` by hand, then"
            f" `fleetc generate --forget {vm}`",
        )
        for vm, host in sorted(records)
        if fleet.host(host) is None
    ]


def _stray_deletes(fleet: Fleet, records: dict) -> list[Diagnostic]:
    retired = {vm for vm, _ in records}
    return [
        warning(
            "F163",
            f"delete_state names `{name}`, which is not a retired VM: nothing"
            " is deleted",
            fleet.at("delete_state", index),
            help="list only VMs removed or moved away (see `fleetc plan`)",
        )
        for index, name in enumerate(fleet.delete_state)
        if name not in retired
    ]


def on_host(fleet: Fleet, host: str) -> list[Retired]:
    """The records whose stop units go into `host`'s module."""
    return [record for record in fleet.retired if record.host == host]
