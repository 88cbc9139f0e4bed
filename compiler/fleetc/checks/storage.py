"""Shares and volumes (F501..F506), including the shares fleetc adds itself:
`journal` (fleet.journal, the FAQ's journald share) and `ro-store` (the host's
/nix/store, unless fleet.store is "disk")."""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import JOURNAL_SHARE, Fleet, Share, Vm, Volume
from .common import FirstSeen, distinct, is_normal, normpath, vm_shares, vm_volumes

JOURNAL = "fleetc's journal share (fleet.journal)"
STORE = "fleetc's /nix/store share (fleet.store)"
JOURNAL_SOCKET = "journal.sock"


def fleetc_shares(fleet: Fleet, vm: Vm) -> list[tuple[str, str, str | None]]:
    """(what, tag, virtiofs socket or None) of the shares fleetc adds to `vm`.

    The journal socket is the FAQ's; the store share keeps microvm.nix's default.
    """
    shares = []
    if fleet.journal_of(vm) == JOURNAL_SHARE:
        shares.append((JOURNAL, "journal", JOURNAL_SOCKET))
    if fleet.store != "disk":
        socket = default_socket(vm, "ro-store") if fleet.store == "virtiofs" else None
        shares.append((STORE, "ro-store", socket))
    return shares


def default_socket(vm: Vm, tag: str) -> str:
    """microvm.nix's default (nixos-modules/microvm/options.nix, shares.socket)."""
    return f"{vm.name}-virtiofs-{tag}.sock"


def socket_of(vm: Vm, share: Share) -> str | None:
    if share.proto != "virtiofs":
        return None
    return share.socket or default_socket(vm, share.tag)


# What fleetc's own shares may take in a VM (fleetc_shares, _fleetc_mounts): a
# VM whose shares take none of these, nor one thing twice, has nothing to report.
FLEETC_TAGS = frozenset({"journal", "ro-store"})
FLEETC_MOUNTS = frozenset({"/var/log/journal", "/nix/.ro-store"})


def check_share_tags(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        if distinct((share.tag for share in vm.shares), FLEETC_TAGS):
            continue
        seen = FirstSeen()
        for what, tag, _ in fleetc_shares(fleet, vm):
            seen.reserve(tag, what)
        for share in vm.shares:
            what = f"another share of vm `{vm.name}`"
            if label := seen.claim_at(share.tag, what, share, "tag"):
                message = f"duplicate share tag `{share.tag}` in vm `{vm.name}`"
                yield error("F501", message, share.at("tag"), label=label)


def check_share_sockets(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        if _default_sockets_apart(vm):
            continue
        seen = FirstSeen()
        for what, _, socket in fleetc_shares(fleet, vm):
            if socket is not None:
                seen.reserve(socket, what)
        for share in vm.shares:
            yield from _socket(vm, share, seen)


def _default_sockets_apart(vm: Vm) -> bool:
    """No share names its socket, and the virtiofs shares' tags are distinct
    and not fleetc's store share's: then their default sockets (one a tag,
    `<vm>-virtiofs-<tag>.sock`) are distinct, not the store's and not
    JOURNAL_SOCKET, so nothing is reported."""
    if any(share.socket is not None for share in vm.shares):
        return False
    tags = (share.tag for share in vm.shares if share.proto == "virtiofs")
    return distinct(tags, ("ro-store",))


def _socket(vm: Vm, share: Share, seen: FirstSeen) -> Iterator[Diagnostic]:
    socket = socket_of(vm, share)
    field = "socket" if share.socket else "tag"
    what = f"a share of vm `{vm.name}`"
    if socket and (label := seen.claim_at(socket, what, share, field)):
        message = f"duplicate virtiofs socket `{socket}` in vm `{vm.name}`"
        help = "set a distinct `socket` on one of the shares"
        yield error("F502", message, share.at(field), label=label, help=help)


def check_mount_points(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        mounted = vm.shares
        if vm.volumes:
            mounted = (*mounted, *(v for v in vm.volumes if v.mount is not None))
        if _clean_mounts([node.mount for node in mounted]):
            continue
        seen = _fleetc_mounts(fleet, vm)
        for node in mounted:
            yield from _mount_point(vm, node, seen)


def _clean_mounts(mounts: list[str]) -> bool:
    """Each normal (so absolute, without `..`, its own normpath), and distinct
    from the others and fleetc's."""
    return all(map(is_normal, mounts)) and distinct(mounts, FLEETC_MOUNTS)


def _fleetc_mounts(fleet: Fleet, vm: Vm) -> FirstSeen:
    seen = FirstSeen()
    if fleet.journal_of(vm) == JOURNAL_SHARE:
        seen.reserve("/var/log/journal", JOURNAL)
    if fleet.store != "disk":
        seen.reserve("/nix/.ro-store", STORE)
    return seen


def _mount_point(vm: Vm, node: Share | Volume, seen: FirstSeen) -> Iterator[Diagnostic]:
    mount = node.mount
    if not mount.startswith("/") or ".." in mount.split("/"):
        message = f"mount point `{mount}` must be an absolute path without `..`"
        yield error("F503", message, node.at("mount"))
    elif label := seen.claim_at(normpath(mount), f"vm `{vm.name}`", node, "mount"):
        message = f"mount point {mount} is already used in vm `{vm.name}`"
        yield error("F503", message, node.at("mount"), label=label)


def check_share_sources(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm, share in vm_shares(fleet):
        source = share.source
        if not source or ".." in source.split("/"):
            message = f"share source `{source}` must be a path without `..`"
            help = f"absolute, or relative to {fleet.state_dir}/{vm.name}"
            yield error("F506", message, share.at("source"), help=help)


def check_volume_images(fleet: Fleet) -> Iterator[Diagnostic]:
    seen = FirstSeen()
    for vm, volume in vm_volumes(fleet):
        span = volume.at("image")
        if label := seen.claim(_image_key(vm, volume.image), f"vm `{vm.name}`", span):
            message = f"duplicate volume image `{volume.image}`"
            yield error("F504", message, span, label=label)


def _image_key(vm: Vm, image: str) -> tuple[str, str, str]:
    """Relative images live in the VM's directory; absolute ones are host-wide."""
    if image.startswith("/"):
        return ("host", vm.host, normpath(image))
    return ("vm", vm.name, normpath(image))


def check_volume_sizes(fleet: Fleet) -> Iterator[Diagnostic]:
    for _, volume in vm_volumes(fleet):
        if volume.size is None and volume.is_block_device:
            continue  # the device has a size; microvm.nix creates nothing
        if volume.size is None:
            help = "set size in MiB, e.g. size = 4096"
            yield error("F505", "volume needs a size", volume.at("size"), help=help)
        elif volume.size <= 0:
            message = f"volume size {volume.size} is not positive"
            yield error("F505", message, volume.at("size"), help="size is in MiB")
