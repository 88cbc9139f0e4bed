"""`fleetc plan`: what the next `generate` changes, per host, before anything is written.

"Before" is fleet.lock (each VM's host and identity: machine-id, MACs,
addresses, tap ids, CID) and the generated tree on disk (each VM's settings,
read from its `vms/<vm>.nix`); "after" is the compiled fleet. Settings are
compared as generated lines, so a change shows exactly what Nix will see, and
no settings digest has to be kept in the lock. Pure: the caller reads files.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Callable

from ..lock.lockfile import INTERFACE_KEYS, Lock, LockedInterface, LockedVm
from ..core.model import Fleet
from ..emit.retired import unit_name

# Summary symbols, as `terraform plan` prints them, plus `>` for moves and renames.
SYMBOLS = {"add": "+", "change": "~", "remove": "-", "move": ">", "rename": ">"}
IDENTITY_LABELS = {"machine_id": "machine-id", "vsock_cid": "CID", "id": "tap"}


@dataclass
class Entry:
    """One VM's change on one host."""

    host: str
    vm: str
    action: str  # add, change, remove, move, rename
    note: str = ""
    settings: list[tuple[str | None, str | None]] = field(default_factory=list)
    identity: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # A move is shown on both hosts; it counts once, where the VM arrives.
    counted: bool = True


@dataclass
class Plan:
    entries: list[Entry]
    retired: list[tuple[str, str]]  # (vm, host) stop units kept from earlier runs
    forgotten: list[tuple[str, str]] = field(default_factory=list)  # --forget

    def summary(self) -> dict[str, int]:
        counts = {"add": 0, "change": 0, "remove": 0, "move": 0}
        for entry in self.entries:
            if entry.counted:
                counts["move" if entry.action == "rename" else entry.action] += 1
        return counts

    @property
    def changes(self) -> bool:
        return bool(self.entries)


Files = Callable[[str], "str | None"]


def make_plan(fleet: Fleet, old: Lock, new: Lock, before: Files, after: Files) -> Plan:
    """`before`/`after`: a generated file's text by relative path (None: absent)."""
    entries: list[Entry] = []
    sources = {}
    for vm in fleet.vms:
        source = _source_name(vm, old)
        sources[source] = vm.name
        entries += _vm_entries(vm.name, vm.host, source, old, new, before, after)
    for name, entry in old.vms.items():
        if name not in sources and entry.host is not None:
            entries.append(_removed(fleet, name, entry.host))
    kept = [key for key in old.retired if key in new.retired]
    gone = [key for key in old.retired if key not in new.retired]
    entries.sort(key=lambda e: (e.host, e.vm, e.action))
    return Plan(entries, sorted(kept), sorted(gone))


def _source_name(vm, old: Lock) -> str:
    """The name the VM had in the lock: its own, or the one it was renamed from."""
    if vm.name not in old.vms and vm.renamed_from in old.vms:
        return vm.renamed_from
    return vm.name


def _vm_entries(name, host, source, old, new, before, after) -> list[Entry]:
    was = old.vms.get(source)
    if was is None:
        return [Entry(host, name, "add", "new VM")]
    settings = setting_changes(before(f"vms/{source}.nix"), after(f"vms/{name}.nix"))
    identity = identity_changes(was, new.vms.get(name) or LockedVm())
    entry = Entry(host, name, "change", "", settings, identity)
    found = [entry]
    if source != name:
        entry.action, entry.note = "rename", f"renamed from {source}"
    if was.host is not None and was.host != host:
        entry.action = "move" if source == name else "rename"
        entry.note = _joined(entry.note, f"moved from {was.host}")
        note = f"moved to {host}: stopped here by {unit_name(source)}"
        found.append(Entry(was.host, source, "move", note, counted=False))
    return found if (settings or identity or len(found) > 1 or source != name) else []


def _joined(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def _removed(fleet: Fleet, name: str, host: str) -> Entry:
    state = "deleted" if name in fleet.delete_state else "kept"
    note = f"removed: stopped by {unit_name(name)}; state {state}"
    return Entry(host, name, "remove", note)


def setting_changes(old: str | None, new: str | None) -> list[tuple]:
    """Generated lines that differ, paired old -> new where they replace each other."""
    if old is None or new is None:
        return []
    was, now = _lines(old), _lines(new)
    found = []
    matcher = difflib.SequenceMatcher(a=was, b=now, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = was[a1:a2], now[b1:b2]
        width = max(len(olds), len(news))
        olds += [None] * (width - len(olds))
        news += [None] * (width - len(news))
        found += list(zip(olds, news, strict=True))
    return found


def _lines(text: str) -> list[str]:
    """Setting lines: comments (the header names the source file) left out."""
    stripped = (line.strip() for line in text.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


def identity_changes(was: LockedVm, now: LockedVm) -> list[tuple]:
    found = [
        (IDENTITY_LABELS.get(key, key), getattr(was, key), getattr(now, key))
        for key in ("machine_id", "vsock_cid")
        if getattr(was, key) != getattr(now, key)
    ]
    for network in sorted(was.interfaces.keys() | now.interfaces.keys()):
        before = was.interfaces.get(network) or LockedInterface()
        after = now.interfaces.get(network) or LockedInterface()
        found += [
            (f"{network} {IDENTITY_LABELS.get(key, key)}", old, new)
            for key in INTERFACE_KEYS
            if (old := getattr(before, key)) != (new := getattr(after, key))
        ]
    return found
