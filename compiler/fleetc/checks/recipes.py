"""Block devices, the `disk` group and shared secrets: the storage answers of
the microvm.nix FAQ (F910..F912, F920). See emit/storage.py for what fleetc
writes; these checks make sure it can, and say what it costs."""

from __future__ import annotations

import re
from typing import Iterator

from ..core.diagnostics import Diagnostic, error, warning
from .common import vm_volumes
from ..core.model import Fleet, Volume

# What udev puts in device names and link names (its allowed characters, plus
# `/`): nothing a udev match pattern or a rules file would read specially.
DEVICE = re.compile(r"/dev(/[A-Za-z0-9#+.:=@_-]+)+\Z")


def check_block_devices(fleet: Fleet) -> Iterator[Diagnostic]:
    for _, volume in vm_volumes(fleet):
        if volume.is_block_device:
            yield from _device(volume)


def _device(volume: Volume) -> Iterator[Diagnostic]:
    image, span = volume.image, volume.at("image")
    parts = image.split("/")[2:]
    if not DEVICE.match(image) or {".", ".."} & set(parts):
        message = f"block device `{image}` cannot be matched by a udev rule"
        help = "name it as udev does: /dev/disk/by-id/..., letters, digits and #+-.:=@_"
        yield error("F910", message, span, help=help)
    elif len(parts) == 1:
        message = f"kernel device name {image} can name another disk after a reboot"
        help = f"use a stable link to it, e.g. from `ls -l /dev/disk/by-id | grep {parts[0]}`"
        yield warning("F911", message, span, help=help)


def check_disk_group(fleet: Fleet) -> Iterator[Diagnostic]:
    if fleet.microvm_disk_group:
        message = (
            "`microvm_disk_group` gives every hypervisor on every host read and"
            " write access to every block device, the hosts' own disks included"
        )
        help = (
            'list the devices as volumes (image = "/dev/disk/by-id/...") instead:'
            " fleetc then gives the microvm user exactly those"
        )
        yield warning("F912", message, fleet.at("microvm_disk_group"), help=help)


def check_shared_secrets(fleet: Fleet) -> Iterator[Diagnostic]:
    """One warning a VM, at its first secrets share: each VM can acknowledge
    its own (`allow = ["F920"]`, checks/allowed.py)."""
    for vm in fleet.vms:
        for share in vm.shares:
            # Normalising keeps a path's names: without "secrets" it holds none.
            if "secrets" in share.source and share.holds_secrets:
                span = share.at("source")
                yield _restart_for_secrets(fleet, vm.name, vm.host, span)
                break


def _restart_for_secrets(fleet: Fleet, vm: str, host: str, span) -> Diagnostic:
    message = f"vm `{vm}` sees updated sops-nix secrets only after a reboot"
    help = (
        f"fleetc sets sops.keepGenerations = 0 on host `{host}`, so the shared"
        f" /run/secrets never disappears; after changing secrets, restart the VM"
        f' (systemctl restart microvm@{vm}); once read, allow = ["F920"]'
    )
    if not fleet.sops_keep_generations:
        help = (
            "[fleet] sops_keep_generations = false: sops-nix may prune the"
            " generation a running VM has mounted, unless the hosts keep them"
            f" otherwise; after changing secrets, restart the VM (systemctl"
            f' restart microvm@{vm}); once read, allow = ["F920"]'
        )
    return warning("F920", message, span, help=help)
