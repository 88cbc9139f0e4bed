"""What a fleet asks for, and nothing more (F507..F509, F620..F623): the
journal's place, vsock, and the tap's vhost-net.

An adopted fleet keeps its journals where they are (`journal` a path inside
one of the VM's own shares), has vsock only where it asks, and says per
interface whether qemu uses vhost-net.
"""

from __future__ import annotations

import posixpath
from typing import Iterator

from ..core import journals
from ..core.diagnostics import Diagnostic, error, warning
from ..core.model import JOURNAL_SHARE, Fleet, Vm
from .common import normpath, vm_interfaces

# Where journald keeps persistent journals; fleetc's share is mounted there.
JOURNALD_DIR = "/var/log/journal"
_JOURNAL_VALUES = '"share", "none" or the path of the journal inside a share'


def check_journal_values(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        if vm.journal is None or not journals.is_path(vm.journal):
            continue
        yield from _journal_path(vm, vm.journal)


def _journal_path(vm: Vm, path: str) -> Iterator[Diagnostic]:
    span = vm.at("journal")
    if not path.startswith("/") or ".." in path.split("/"):
        message = f"`journal` must be {_JOURNAL_VALUES}, not `{path}`"
        help = f'e.g. journal = "{JOURNALD_DIR}" inside a share mounted at /var'
        yield error("F508", message, span, help=help)
    elif journals.containing_share(vm, path) is None:
        yield _outside_shares(vm, path)
    elif posixpath.normpath(path) != JOURNALD_DIR:
        message = f"journald keeps its journal in {JOURNALD_DIR}, not {path}"
        help = f"the host links {path}: make sure the guest's journal is there"
        yield warning("F623", message, span, help=help)


def _outside_shares(vm: Vm, path: str) -> Diagnostic:
    mounts = ", ".join(share.mount for share in vm.shares) or "none"
    message = f"journal path {path} is not inside a share of vm `{vm.name}`"
    help = (
        f"the host can link only a share's source (mount points: {mounts});"
        ' or write journal = "share" for fleetc\'s own journal share'
    )
    return error("F507", message, vm.at("journal"), help=help)


def check_journal_share_hides(fleet: Fleet) -> Iterator[Diagnostic]:
    """fleetc's journal share over a user share hides the journals in it."""
    for vm in fleet.vms:
        if fleet.journal_of(vm) != JOURNAL_SHARE or not _may_hold_journal(vm):
            continue
        share = journals.containing_share(vm, JOURNALD_DIR)
        if share is not None and posixpath.normpath(share.mount) != JOURNALD_DIR:
            yield _hiding(vm, share)


def _may_hold_journal(vm: Vm) -> bool:
    """Whether journals.containing_share finds a share holding JOURNALD_DIR
    (most VMs have none), asked as it asks, with each mount point normalised
    once and a normal one not at all."""
    for share in vm.shares:
        mount = normpath(share.mount)  # "//" stays "//", and holds it
        if mount == JOURNALD_DIR or JOURNALD_DIR.startswith(mount.rstrip("/") + "/"):
            return True
    return False


def _hiding(vm: Vm, share) -> Diagnostic:
    message = (
        f"fleetc's journal share is mounted over {JOURNALD_DIR} inside share"
        f" `{share.tag}` ({share.mount}) of vm `{vm.name}`, hiding the journals"
        " already there"
    )
    help = f'keep them where they are: journal = "{JOURNALD_DIR}" on this vm'
    span = vm.at("journal") if vm.journal is not None else share.at("mount")
    return warning("F509", message, span, help=help)


def check_vsock_asked(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        if vm.vsock is False and vm.vsock_cid is not None:
            message = f"vm `{vm.name}` has `vsock = false` and a `vsock_cid`"
            help = "remove vsock_cid (no vsock device) or vsock = false"
            yield error("F620", message, vm.at("vsock_cid"), help=help)


def check_vhost(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm, interface in vm_interfaces(fleet):
        if not interface.vhost:
            continue
        span = interface.at("vhost")
        if interface.type != "tap":
            message = f'vhost-net is for `type = "tap"`, not `{interface.type}`'
            help = "remove vhost from this interface"
            yield error("F621", message, span, help=help)
        elif vm.hypervisor != "qemu":
            message = f"{vm.hypervisor} ignores `vhost` (microvm.nix: qemu only)"
            label = f"vm `{vm.name}` uses {vm.hypervisor}"
            yield warning("F622", message, span, label=label)
