"""Stop units for VMs that left a host (retire.py keeps the records).

A host's module declares only its VMs; `microvm@<vm>` of a VM no longer
declared keeps running after a switch, with its taps (microvm.nix #508, #302).
For each retirement record of this host, a oneshot unit wanted by
multi-user.target (so a switch starts it) stops the VM's units, deletes its
taps and, only when `[fleet] delete_state` names it, its state directory. For
a rename on the same host it first moves the journal into the new name's
journal directory, where the host's `L+` link (keyed by the kept machine-id)
now points, before the renamed VM starts.
"""

from __future__ import annotations

import posixpath
from shlex import quote

from ..lock.lockfile import Retired
from ..core.model import JOURNAL_SHARE, Fleet, Host
from ..lock.retire import on_host
from ..lock.values import NAME_PATTERNS
from .common import journal_dir

# microvm.nix's per-VM template units (nixos-modules/host/default.nix, the
# list install-microvm-<vm> orders itself before). Stopping
# microvm-tap-interfaces@ runs the VM's own tap-down; `networkctl delete` after
# it removes taps left behind (a VM whose runner is gone, a crashed stop).
VM_UNITS = (
    "microvm@{}.service",
    "microvm-tap-interfaces@{}.service",
    "microvm-macvtap-interfaces@{}.service",
    "microvm-pci-devices@{}.service",
    "microvm-virtiofsd@{}.service",
    "microvm-set-booted@{}.service",
)


def retired_units(fleet: Fleet, host: Host) -> dict:
    """systemd.services.<unit> of the host, by unit name."""
    return {
        unit_name(record.vm): unit(fleet, record)
        for record in sorted(on_host(fleet, host.name), key=lambda r: r.vm)
    }


def unit_name(vm: str) -> str:
    return f"fleetc-retire-{vm}"


def unit(fleet: Fleet, record: Retired) -> dict:
    found: dict = {
        "description": f"fleetc: stop MicroVM {record.vm}, which left this host",
        "wantedBy": ["multi-user.target"],
        # RemainAfterExit: it stays active, so a switch runs it again only when
        # it changed (e.g. delete_state added later); every step is idempotent.
        "serviceConfig": {"Type": "oneshot", "RemainAfterExit": True},
        "script": "\n".join(script(fleet, record)) + "\n",
    }
    successor = moved_journal_to(fleet, record)
    if successor is not None:  # the journal must move before the new VM logs
        found["before"] = [f"microvm@{successor}.service"]
        found["wantedBy"] = ["multi-user.target", f"microvm@{successor}.service"]
    return found


def script(fleet: Fleet, record: Retired) -> list[str]:
    units = " ".join(quote(u.format(record.vm)) for u in VM_UNITS)
    lines = [f"systemctl stop {units} || true"]
    lines += [f"systemctl disable {quote(f'microvm@{record.vm}.service')} || true"]
    lines += [f"networkctl delete {quote(tap)} || true" for tap in freed(fleet, record)]
    lines += journal_move(fleet, record)
    state = state_of(fleet, record.vm)
    if record.vm in fleet.delete_state and state is not None:
        lines.append(f"rm -rf --one-file-system -- {quote(state)}")
    return lines


def state_of(fleet: Fleet, vm: str) -> str | None:
    """The VM's directory directly under state_dir; None for a name that could
    reach anywhere else (`..`, `/`, NUL, a leading `-`). fleet.lock's names are
    checked when read (lock/lockfile.py); this is the second lock on `rm -rf`."""
    if not NAME_PATTERNS["VM"].fullmatch(vm) or ".." in vm or vm.startswith("-"):
        return None
    if "/" in vm or "\0" in vm:
        return None
    return posixpath.join(fleet.state_dir, vm)


def freed(fleet: Fleet, record: Retired) -> list[str]:
    """The record's taps no VM of the host uses now: a renamed VM keeps its
    tap id, and deleting it would cut the new VM off."""
    used = {i.id for vm in fleet.vms_on(record.host) for i in vm.interfaces}
    return [tap for tap in record.taps if tap not in used]


def moved_journal_to(fleet: Fleet, record: Retired) -> str | None:
    """The new name when this is a rename on the same host with a journal share."""
    new = next((vm for vm in fleet.vms if vm.name == record.renamed_to), None)
    if new is None or new.host != record.host or record.machine_id is None:
        return None
    if new.machine_id != record.machine_id:
        return None
    return new.name if fleet.journal_of(new) == JOURNAL_SHARE else None


def journal_move(fleet: Fleet, record: Retired) -> list[str]:
    successor = moved_journal_to(fleet, record)
    state = state_of(fleet, record.vm)
    if successor is None or state is None:
        return []
    new = next(vm for vm in fleet.vms if vm.name == successor)
    old_dir = posixpath.join(state, "journal", record.machine_id)
    new_parent = journal_dir(fleet.state_dir, new)
    new_dir = posixpath.join(new_parent, record.machine_id)
    old, target = quote(old_dir), quote(new_dir)
    return [
        f"if [ -d {old} ] && [ ! -e {target} ]; then",
        f"  mkdir -p {quote(new_parent)} && mv {old} {target}",
        "fi",
    ]
