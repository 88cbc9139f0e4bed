"""A plan as `terraform plan`-style text, and as JSON data."""

from __future__ import annotations

from itertools import groupby

from .deploy_order import Step
from .plan import SYMBOLS, Entry, Plan

LOUD = "!! IDENTITY CHANGES"


def plan_text(plan: Plan) -> str:
    lines: list[str] = []
    for host, entries in groupby(plan.entries, key=lambda e: e.host):
        lines.append(f"host {host}:")
        for entry in entries:
            lines += _entry_lines(entry)
    for vm, host in plan.retired:
        lines.append(
            f"  (stop unit for retired {vm} still on host {host};"
            f" `fleetc generate --forget {vm}` once {host} was switched)"
        )
    for vm, host in plan.forgotten:
        lines.append(f"  (stop unit for retired {vm} leaves host {host})")
    lines.append(summary_line(plan))
    return "\n".join(lines) + "\n"


def _entry_lines(entry: Entry) -> list[str]:
    head = f"  {SYMBOLS[entry.action]} {entry.vm}"
    lines = [f"{head}  ({entry.note})" if entry.note else head]
    if entry.identity:
        lines.append(f"      {LOUD}: the VM will not be the same machine")
        lines += [
            f"      !! {key}: {_shown(key, old)} -> {_shown(key, new)}"
            for key, old, new in entry.identity
        ]
    lines += [
        f"      {old or '(none)'}  ->  {new or '(none)'}" for old, new in entry.settings
    ]
    return lines


# What a VM has where the lock holds no value: `machine_id = false` leaves
# the id to the VM; a released CID means no vsock device.
UNSET = {"machine-id": "(none: the VM's own)"}


def _shown(key: str, value) -> str:
    return str(value) if value is not None else UNSET.get(key, "(none)")


def summary_line(plan: Plan) -> str:
    counts = plan.summary()
    symbols = " ".join(f"{SYMBOLS[kind]}{count}" for kind, count in counts.items())
    if not plan.changes:
        return f"Plan: {symbols} (no VM changes)"
    return f"Plan: {symbols} (added, changed, removed, moved or renamed VMs)"


def plan_json(plan: Plan) -> dict:
    return {
        "summary": plan.summary(),
        "hosts": {
            host: [_entry_json(e) for e in entries]
            for host, entries in groupby(plan.entries, key=lambda e: e.host)
        },
        "retired": [{"vm": vm, "host": host} for vm, host in plan.retired],
        "forgotten": [{"vm": vm, "host": host} for vm, host in plan.forgotten],
    }


def _entry_json(entry: Entry) -> dict:
    return {
        "vm": entry.vm,
        "action": entry.action,
        "note": entry.note,
        "identity": [{"key": k, "old": o, "new": n} for k, o, n in entry.identity],
        "settings": [{"old": o, "new": n} for o, n in entry.settings],
    }


def order_text(steps: list[Step]) -> str:
    """The deploy order, after the plan: numbered steps, one command a line."""
    lines = ["", "Deploy in this order:"]
    for number, step in enumerate(steps, start=1):
        lines.append(f"  {number}. {step.title}:")
        lines += [f"       {command}" for command in step.commands]
    return "\n".join(lines) + "\n"


def order_json(steps: list[Step]) -> list[dict]:
    return [
        {"step": s.name, "title": s.title, "commands": list(s.commands)} for s in steps
    ]
