"""What microvm.nix and the hypervisors accept (F005, F601..F607): vsock CIDs,
hypervisors, interface types, macvtap settings, share protocols, sizes."""

from __future__ import annotations

from typing import Iterator

from ..core import microvm_options
from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Interface, Vm
from .common import FirstSeen, owner_name, suggestion, vm_interfaces, vm_shares

# 0..2 are the hypervisor, local and host; 2**32 - 1 is VMADDR_CID_ANY.
FIRST_CID, CID_ANY = 3, 2**32 - 1
# microvm.nix manual, interfaces.md: who provides `type = "user"`.
USER_NETWORKING = ("qemu", "kvmtool", "vfkit")
# ... and vfkit (macOS) provides nothing else.
USER_ONLY = ("vfkit",)


def check_vsock_cids(fleet: Fleet) -> Iterator[Diagnostic]:
    seen = FirstSeen()
    for vm in fleet.vms:
        cid = vm.vsock_cid
        if cid is None:
            continue
        span = vm.at("vsock_cid")
        if cid < FIRST_CID:
            help = "0, 1 and 2 are the hypervisor, loopback and host"
            yield error("F601", f"vsock CID {cid} is below 3", span, help=help)
        elif cid >= CID_ANY:
            yield error("F005", f"vsock CID {cid} must be below {CID_ANY}", span)
        elif label := seen.claim((vm.host, cid), owner_name(vm), span):
            message = f"duplicate vsock CID {cid} on host `{vm.host}`"
            yield error("F602", message, span, label=label)


def check_hypervisors(fleet: Fleet) -> Iterator[Diagnostic]:
    known = microvm_options.hypervisors()
    for vm in fleet.vms:
        if vm.hypervisor not in known:
            help = suggestion(vm.hypervisor, known) or "one of: " + ", ".join(known)
            message = f"unknown hypervisor `{vm.hypervisor}`"
            yield error("F603", message, vm.at("hypervisor"), help=help)


def check_interface_types(fleet: Fleet) -> Iterator[Diagnostic]:
    known = microvm_options.interface_types()
    for vm, interface in vm_interfaces(fleet):
        if interface.type not in known:
            help = suggestion(interface.type, known) or "one of: " + ", ".join(known)
            message = f"unknown interface type `{interface.type}`"
            yield error("F604", message, interface.at("type"), help=help)
        elif problem := _type_for_hypervisor(vm, interface):
            yield problem


def _type_for_hypervisor(vm: Vm, interface: Interface) -> Diagnostic | None:
    kind, hypervisor = interface.type, vm.hypervisor
    if kind == "user" and hypervisor not in USER_NETWORKING:
        message = f"{hypervisor} has no user networking (only qemu, kvmtool, vfkit)"
    elif kind != "user" and hypervisor in USER_ONLY:
        message = f'{hypervisor} supports only `type = "user"` interfaces'
    else:
        return None
    label = f"vm `{vm.name}` uses {hypervisor}"
    return error("F604", message, interface.at("type"), label=label)


def check_macvtap(fleet: Fleet) -> Iterator[Diagnostic]:
    modes = microvm_options.macvtap_modes()
    for _, interface in vm_interfaces(fleet):
        if interface.type != "macvtap":
            continue
        yield from _macvtap_missing(interface)
        mode = interface.macvtap_mode
        if mode is not None and mode not in modes:
            help = suggestion(mode, modes) or "one of: " + ", ".join(modes)
            message = f"unknown macvtap mode `{mode}`"
            yield error("F607", message, interface.at("macvtap_mode"), help=help)


def _macvtap_missing(interface: Interface) -> Iterator[Diagnostic]:
    missing = [
        name
        for name in ("macvtap_link", "macvtap_mode")
        if getattr(interface, name) is None
    ]
    if missing:
        message = "a macvtap interface needs " + " and ".join(missing)
        help = 'e.g. macvtap_link = "eno1", macvtap_mode = "bridge"'
        yield error("F605", message, interface.at("type"), help=help)


def check_share_protos(fleet: Fleet) -> Iterator[Diagnostic]:
    protos = microvm_options.share_protos()
    for _, share in vm_shares(fleet):
        if share.proto not in protos:
            help = suggestion(share.proto, protos) or "one of: " + ", ".join(protos)
            message = f"unknown share protocol `{share.proto}`"
            yield error("F606", message, share.at("proto"), help=help)


# The real ranges, beyond "positive": (field, unit, largest, why).
# KVM_MAX_VCPUS on x86-64 (with CONFIG_MAXSMP; less elsewhere).
MAX_VCPUS = 4096
# 52-bit physical addresses (x86-64, arm64 with LPA): 4 PiB.
MAX_MEM_MIB = 2**32
# An image's size in bytes is a signed 64-bit off_t (`truncate -s <size>M`).
MAX_VOLUME_MIB = (2**63 - 1) // 2**20
LIMITS = (
    ("vcpu", "CPUs", MAX_VCPUS, "KVM runs at most 4096 vCPUs in one VM"),
    ("mem", "MiB", MAX_MEM_MIB, "52-bit physical addresses reach 4 PiB"),
)


def check_sizes(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        for field, unit, largest, why in LIMITS:
            value = getattr(vm, field)
            if not 0 < value <= largest:
                yield _out_of_range(vm, field, unit, largest, why)
        if vm.volumes:
            yield from _volume_sizes(vm)


def _out_of_range(vm: Vm, field: str, unit: str, largest: int, why: str):
    value, span = getattr(vm, field), vm.at(field)
    if value <= 0:
        message = f"{field} must be positive, not {value}"
        return error("F005", message, span, help=f"{field} is in {unit}")
    message = f"{field} {value} is more than {largest} {unit}"
    return error("F005", message, span, help=why)


def _volume_sizes(vm: Vm) -> Iterator[Diagnostic]:
    """Not positive is F505 (checks/storage.py); too large is judged here."""
    for volume in vm.volumes:
        if volume.size is not None and volume.size > MAX_VOLUME_MIB:
            message = f"volume size {volume.size} MiB is more than {MAX_VOLUME_MIB} MiB"
            help = "the image's size in bytes must fit a signed 64-bit file offset"
            yield error("F005", message, volume.at("size"), help=help)
