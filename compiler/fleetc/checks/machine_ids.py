"""machine-ids (F110..F113): journald tells machines apart by them."""

from __future__ import annotations

import re
from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Vm
from .common import FirstSeen, Owner, machines, owner_name

MACHINE_ID = re.compile(r"[0-9a-f]{32}")
ANY_CASE = re.compile(r"[0-9a-fA-F]{32}")
NEW_ID_HELP = "generate one with `systemd-id128 new`"


def check_machine_id_format(fleet: Fleet) -> Iterator[Diagnostic]:
    for machine in machines(fleet):
        if machine.machine_id is not None:
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
        if value is None or not ANY_CASE.fullmatch(value) or not value.strip("0"):
            continue
        span = machine.at("machine_id")
        label = seen.claim(value.lower(), owner_name(machine), span)
        if label:
            message = _duplicate(fleet, machine, value.lower())
            yield error("F113", message, span, label=label, help=NEW_ID_HELP)


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
