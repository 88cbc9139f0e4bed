"""What a new lock changes, one line each: printed by the CLI, shown by --locked."""

from __future__ import annotations

from typing import Any, Iterator

from ..lock.lockfile import INTERFACE_KEYS, VM_KEYS, Lock, LockedInterface, LockedVm


def lock_changes(old: Lock, new: Lock) -> list[str]:
    lines: list[str] = []
    for name in sorted(old.vms.keys() | new.vms.keys()):
        before, after = old.vms.get(name), new.vms.get(name)
        if before is after:
            continue  # the same entry (an unchanged fleet's lock is the old one's)
        if after is None:
            lines.append(f"removed {name} (no longer in the fleet)")
        elif before is None:
            lines.append(f"added {name}")
        else:
            lines.extend(f"{name}: {change}" for change in _vm_changes(before, after))
    return lines + _retired_changes(old, new)


def _retired_changes(old: Lock, new: Lock) -> list[str]:
    """Retirement records added (a host will stop the VM) or forgotten."""
    added = sorted(new.retired.keys() - old.retired.keys())
    gone = sorted(old.retired.keys() - new.retired.keys())
    return [f"retired {vm} from {host} (stopped there)" for vm, host in added] + [
        f"forgot retired {vm} on {host}" for vm, host in gone
    ]


def _vm_changes(before: LockedVm, after: LockedVm) -> Iterator[str]:
    yield from _field_changes("", before, after, VM_KEYS)
    for network in sorted(before.interfaces.keys() | after.interfaces.keys()):
        yield from _field_changes(
            f"{network} ",
            before.interfaces.get(network) or LockedInterface(),
            after.interfaces.get(network) or LockedInterface(),
            INTERFACE_KEYS,
        )


def _field_changes(
    prefix: str, before: Any, after: Any, names: tuple[str, ...]
) -> Iterator[str]:
    for name in names:
        was, now = getattr(before, name), getattr(after, name)
        if was == now:
            continue
        if now is None:
            yield f"{prefix}{name} released (was {was})"
        elif was is None:
            yield f"{prefix}{name} {now}"
        else:
            yield f"{prefix}{name} {now} (was {was})"
