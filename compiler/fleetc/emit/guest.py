"""vms/<vm>.nix: the guest module of one MicroVM."""

from __future__ import annotations

import posixpath

from . import nix
from ..core.model import JOURNAL_SHARE, Fleet, Interface, Share, Vm, Volume
from .common import JOURNAL_MOUNT, bridge_name, from_subdir, journal_dir, modules, uuid
from . import guards
from .modules import module_file
from .overlays import PATH as OVERLAYS
from .guest_network import guest_network
from .microvm_settings import microvm_settings
from .passthrough import passthrough
from .runners import host_runner

NIX_PATHS = {
    "flake": nix.interpolated("nixpkgs=", nix.Expr("inputs.nixpkgs")),
    "channel": nix.interpolated("nixpkgs=", nix.Expr("builtins.storePath <nixpkgs>")),
}


def vm_file(fleet: Fleet, vm: Vm, layout, newer: set[str] | None = None) -> str:
    """The VM's module; what it writes that older microvm.nix generations lack
    goes into `newer` (for lib/compat.nix), and the module through compat."""
    own = settings(fleet, vm)
    asked = microvm_settings(vm)
    imports = vm_imports(fleet, vm, layout)
    found = ({"imports": imports} if imports else {}) | own | asked
    listed = guards.newer_options(own, guards.guest_tree())
    listed |= guards.newer_options(asked, guards.both_tree())
    wrapped = bool(listed) or guards.newer_hypervisor(vm.hypervisor)
    if newer is not None:
        newer |= listed
    return module_file(found, layout, wrapped, "../lib/compat.nix")


def vm_imports(fleet: Fleet, vm: Vm, layout) -> list:
    """The VM's other modules, from vms/: the overlays, then the fleet's."""
    own = [nix.path(f"../{OVERLAYS}")] if fleet.overlays else []
    back = from_subdir(layout.fleet_dir_from_output)
    return own + modules(fleet.modules + fleet.vm_modules + vm.modules, back)


MACHINE_ID_FALSE_WHY = (
    "machine_id = false: /etc/machine-id is the VM's own, written by systemd at\n"
    "first boot; microvm.nix's machineId (where it has one) would replace it"
)


def machine_id(value: str | bool) -> dict:
    """The VM's id (lib/compat.nix writes the FAQ's file where microvm.nix has
    no machineId); null for `machine_id = false`, not microvm.nix's default."""
    if value is False:
        return {("microvm", "machineId"): nix.Commented(None, MACHINE_ID_FALSE_WHY)}
    return {("microvm", "machineId"): uuid(value)}


EVERY_VM = "lib/every-vm.nix"
EVERY_VM_WHY = (
    "What every VM of the fleet gets: outputs.nix (and a host building a VM\n"
    "itself) imports it before vms/<vm>.nix."
)


def every_vm_files(fleet: Fleet, layout, newer: set[str]) -> dict[str, str]:
    found = every_vm(fleet)
    if not found:
        return {}
    listed = guards.newer_options(found, guards.guest_tree())
    newer |= listed
    text = module_file(found, layout, bool(listed), "./compat.nix", EVERY_VM_WHY)
    return {EVERY_VM: text}


def every_vm(fleet: Fleet) -> dict:
    """The settings every VM of the fleet shares, fleet-wide keys only."""
    if not fleet.vms:
        return {}
    found: dict = {}
    if fleet.domain is not None:
        found[("networking", "domain")] = fleet.domain
    if fleet.store != "disk":
        store = store_share(fleet.store, fleet.store_read_only)
        found[("microvm", "shares")] = [store]
    if fleet.nix_path in NIX_PATHS:
        found[("nix", "nixPath")] = [NIX_PATHS[fleet.nix_path]]
    return found


def settings(fleet: Fleet, vm: Vm) -> dict:
    found = {("networking", "hostName"): vm.name} | hardware(vm)
    found |= machine_id(vm.machine_id)
    found |= host_runner(vm) | devices(fleet, vm)
    found |= boot_mounts(vm)
    found |= passthrough(vm)
    if fleet.network_stack == "networkd":
        found |= guest_network(fleet, vm)
    return found


def identity(fleet: Fleet, name: str) -> dict:
    found: dict = {("networking", "hostName"): name}
    if fleet.domain is not None:
        found[("networking", "domain")] = fleet.domain
    return found


def hardware(vm: Vm) -> dict:
    """Hypervisor, vcpu, mem: left out where they are microvm.nix's default."""
    found = {
        ("microvm", "hypervisor"): vm.hypervisor,
        ("microvm", "vcpu"): vm.vcpu,
        ("microvm", "mem"): vm.mem,
    }
    return {k: v for k, v in found.items() if not guards.default_in_both(k, v)}


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
    """The VM's own shares (the store's is every VM's: lib/every-vm.nix)."""
    found = []
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
