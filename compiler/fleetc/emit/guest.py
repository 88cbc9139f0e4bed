"""vms/<vm>.nix: the guest module of one MicroVM."""

from __future__ import annotations

import posixpath

from . import nix
from ..core.model import JOURNAL_SHARE, Fleet, Interface, Share, Vm, Volume
from .common import JOURNAL_MOUNT, bridge_name, journal_dir, uuid
from . import guards
from .guest_network import guest_network
from .microvm_settings import microvm_settings
from .passthrough import passthrough
from .runners import SETTINGS_INDENT, host_runner
from .templating import render

NIX_PATHS = {
    "flake": nix.interpolated("nixpkgs=", nix.Expr("inputs.nixpkgs")),
    "channel": nix.interpolated("nixpkgs=", nix.Expr("builtins.storePath <nixpkgs>")),
}


def vm_file(fleet: Fleet, vm: Vm, layout) -> str:
    # Settings older microvm.nix generations lack are guarded (emit/guards.py).
    found, newer = guards.split(
        settings(fleet, vm), guards.guest_tree(), SETTINGS_INDENT
    )
    asked, asked_newer = microvm_settings(vm)
    return render(
        "vm.nix.j2",
        layout.source_name,
        guards=guards.LET,
        settings=found,
        asked=asked,
        newer=guards.merge_elements(newer + asked_newer, 1),
        assertions=guards.assertions(vm),
        fleet_root=uses_fleet_root(vm),
        **machine_id(vm.machine_id),
    )


def machine_id(value: str | bool) -> dict:
    """The VM's id both ways (microvm.machineId, else the FAQ's file); none
    for `machine_id = false` (the template then sets microvm.machineId null)."""
    if value is False:
        return {"machine_id_option": {}, "machine_id_file": {}}
    return {
        "machine_id_option": {("microvm", "machineId"): uuid(value)},
        "machine_id_file": machine_id_file(value),
    }


def machine_id_file(machine_id: str) -> dict:
    """The FAQ's /etc/machine-id, for microvm.nix generations without machineId."""
    text = {"mode": "0644", "text": machine_id + "\n"}
    return {("environment", "etc", "machine-id"): text}


def settings(fleet: Fleet, vm: Vm) -> dict:
    found = identity(fleet, vm.name) | hardware(vm) | host_runner(vm)
    found |= devices(fleet, vm)
    found |= boot_mounts(vm)
    found |= passthrough(vm)
    if fleet.nix_path in NIX_PATHS:
        found[("nix", "nixPath")] = [NIX_PATHS[fleet.nix_path]]
    if fleet.network_stack == "networkd":
        found |= guest_network(fleet, vm)
    return found


def identity(fleet: Fleet, name: str) -> dict:
    found: dict = {("networking", "hostName"): name}
    if fleet.domain is not None:
        found[("networking", "domain")] = fleet.domain
    return found


def hardware(vm: Vm) -> dict:
    return {
        ("microvm", "hypervisor"): vm.hypervisor,
        ("microvm", "vcpu"): vm.vcpu,
        ("microvm", "mem"): vm.mem,
    }


def devices(fleet: Fleet, vm: Vm) -> dict:
    found: dict = {}
    if vm.interfaces:
        nics = [interface(fleet, nic) for nic in vm.interfaces]
        found[("microvm", "interfaces")] = nics
    share_list = shares(fleet, vm)
    if share_list:
        found[("microvm", "shares")] = share_list
    if vm.volumes:
        found[("microvm", "volumes")] = [volume(v) for v in vm.volumes]
    if vm.wants_vsock and vm.vsock_cid is not None:
        found[("microvm", "vsock", "cid")] = vm.vsock_cid
    return found


def interface(fleet: Fleet, nic: Interface) -> dict:
    found: dict = {"type": nic.type, "id": nic.id, "mac": nic.mac}
    if nic.type == "macvtap":
        found["macvtap"] = {"link": nic.macvtap_link, "mode": nic.macvtap_mode}
    if nic.type == "bridge":
        # qemu-bridge-helper attaches the tap to the bridge of the interface's network.
        found["bridge"] = bridge_name(fleet.network(nic.network))
    if nic.vhost is not None:
        # `tap.vhost` (2026-02 on) is guarded by its existence like every newer option
        found["tap"] = {"vhost": nic.vhost}
    return found


def shares(fleet: Fleet, vm: Vm) -> list[dict]:
    found = []
    if fleet.store != "disk":
        found.append(store_share(fleet.store, fleet.store_read_only))
    if fleet.journal_of(vm) == JOURNAL_SHARE:
        found.append(journal_share(fleet, vm))
    return found + [share(s) for s in vm.shares]


STORE_WHY = "the host's /nix/store, read-only: the guest needs no store image"


def store_share(proto: str, read_only: bool = True) -> dict:
    """`read_only`: fleetc's `readOnly` (off with [fleet] store_read_only =
    false: the share as microvm.nix's own docs write it)."""
    found = {
        "tag": nix.Commented("ro-store", STORE_WHY),
        "source": "/nix/store",
        "mountPoint": "/nix/.ro-store",
        "proto": proto,
    }
    return found | ({"readOnly": True} if read_only else {})


def journal_share(fleet: Fleet, vm: Vm) -> dict:
    """The FAQ's journal share: the host reads the guest's journal directly."""
    return {
        "tag": "journal",
        "source": journal_dir(fleet.state_dir, vm),
        "mountPoint": JOURNAL_MOUNT,
        "proto": "virtiofs",
        "socket": "journal.sock",
    }


def share(user_share: Share) -> dict:
    found: dict = {
        "tag": user_share.tag,
        "source": source(user_share),
        "mountPoint": user_share.mount,
        "proto": user_share.proto,
    }
    if user_share.socket is not None:
        found["socket"] = user_share.socket
    if user_share.read_only or user_share.from_repo:
        found["readOnly"] = True
    return found


REPO_WHY = "a directory of the repository, shared from its copy in the Nix store"


def source(user_share: Share) -> str | nix.Commented:
    """As written; for a share from the repository, the store path of its
    directory (fleetRoot: the fleet file's directory, lib/roots.nix)."""
    if not user_share.from_repo:
        return user_share.source
    below = "/" + posixpath.normpath(user_share.source)
    copied = nix.interpolated(nix.Expr(f"fleetRoot + {nix.string(below)}"))
    return nix.Commented(copied, REPO_WHY)


def uses_fleet_root(vm: Vm) -> bool:
    return any(s.from_repo for s in vm.shares)


def boot_mounts(vm: Vm) -> dict:
    """Shares the system needs in stage 1 (fileSystems.<mount>.neededForBoot),
    beside microvm.nix's own definition of the mount."""
    needed = [s.mount for s in vm.shares if s.needed_for_boot]
    return {("fileSystems", mount, "neededForBoot"): True for mount in needed}


def volume(user_volume: Volume) -> dict:
    found: dict = {"image": user_volume.image, "mountPoint": user_volume.mount}
    if user_volume.size is not None:
        found["size"] = user_volume.size
    if user_volume.is_block_device:
        # The device exists: microvm.nix must neither create nor format it.
        found["autoCreate"] = False
    return found
