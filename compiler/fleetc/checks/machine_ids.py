"""machine-ids (F110..F113, F115): journald tells machines apart by them."""

from __future__ import annotations

from typing import Iterator

from ..core.formats import ANY_CASE, MACHINE_ID
from ..core.diagnostics import Diagnostic, error, warning
from ..core.model import JOURNAL_NONE, Fleet, Vm
from .common import FirstSeen, Owner, machines, owner_name

NEW_ID_HELP = "generate one with `systemd-id128 new`"


def check_machine_id_format(fleet: Fleet) -> Iterator[Diagnostic]:
    for machine in machines(fleet):
        if isinstance(machine.machine_id, str):  # False: the VM keeps its own
            yield from _format(machine, machine.machine_id)


def _format(machine: Owner, value: str) -> Iterator[Diagnostic]:
    span = machine.at("machine_id")
    if ANY_CASE.fullmatch(value) and not MACHINE_ID.fullmatch(value):
        help = f"write it in lowercase: {value.lower()}"
        yield error("F111", f"uppercase machine-id {value}", span, help=help)
    elif not ANY_CASE.fullmatch(value):
        yield error("F110", _malformed(value), span, help=_malformed_help(value))
    elif not value.strip("0"):
        message = "all-zero machine-id: systemd treats it as unset"
        yield error("F112", message, span, help=NEW_ID_HELP)


def _malformed(value: str) -> str:
    return f"malformed machine-id `{value}`: expected 32 lowercase hex digits"


def _malformed_help(value: str) -> str:
    bare = value.replace("-", "")
    if "-" in value and ANY_CASE.fullmatch(bare):
        return f"write it without dashes: {bare.lower()}"
    return NEW_ID_HELP


def check_unique_machine_ids(fleet: Fleet) -> Iterator[Diagnostic]:
    seen = FirstSeen()
    for machine in machines(fleet):
        value = machine.machine_id
        if not isinstance(value, str) or not _usable(value):
            continue
        span = machine.at("machine_id")
        label = seen.claim(value.lower(), owner_name(machine), span)
        if label:
            message = _duplicate(fleet, machine, value.lower())
            yield error("F113", message, span, label=label, help=NEW_ID_HELP)


def _usable(value: str) -> bool:
    return bool(ANY_CASE.fullmatch(value) and value.strip("0"))


def _duplicate(fleet: Fleet, machine: Owner, value: str) -> str:
    host = fleet.host(machine.host) if isinstance(machine, Vm) else None
    if host is not None and (host.machine_id or "").lower() == value:
        return (
            f"duplicate machine-id {value}: the VM shares its host's id, so the"
            f" host's `L+ /var/log/journal/{value}` rule would clobber the host's"
            " own journal"
        )
    return (
        f"duplicate machine-id {value}: journald would mix these machines'"
        " journals, and one `L+ /var/log/journal/<id>` link would hide the other"
    )


def check_journal_needs_machine_id(fleet: Fleet) -> Iterator[Diagnostic]:
    """`machine_id = false` leaves the id to the VM: the host's journal link,
    named by the id, cannot be written, so `journalctl -m` there misses it."""
    for vm in fleet.vms:
        if vm.machine_id is False and fleet.journal_of(vm) != JOURNAL_NONE:
            yield _unlinked(vm)


def _unlinked(vm: Vm) -> Diagnostic:
    message = (
        f"vm `{vm.name}` has machine_id = false: its journal cannot be linked"
        " into the host's /var/log/journal (the link is named by the id)"
    )
    help = (
        'set journal = "none" to say so, or write the VM\'s id (its'
        " /etc/machine-id) as machine_id"
    )
    return warning("F115", message, vm.at("machine_id"), help=help)
