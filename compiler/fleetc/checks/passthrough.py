"""PCI and USB devices passed through to VMs (F630..F632).

microvm.nix hands `path` to the hypervisor as it is: a PCI address becomes
`/sys/bus/pci/devices/<path>` (cloud-hypervisor, crosvm) or qemu's
`vfio-pci,host=<path>`; a USB path is the property list of qemu's
`-device usb-host,<path>`. A device can be bound to vfio for one VM only, so
one host's VMs must not share one.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Device, Fleet, Vm
from .common import FirstSeen, element_span
from .index import index_of

# Patterns compiled on first use (re caches them): only a fleet passing devices uses them.
# domain:bus:slot.function, as sysfs names it (lowercase; slots 00..1f).
PCI = r"[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]\Z"
# qemu usb-host properties: by vendor and product, or by place on the host.
USB_PAIR = (
    r"(vendorid|productid)=0x[0-9a-fA-F]{1,4}|hostbus=[0-9]+|hostaddr=[0-9]+"
    r"|hostport=[0-9]+(?:\.[0-9]+)*\Z"
)
USB_FORMS = (
    {"vendorid", "productid"},
    {"hostbus", "hostaddr"},
    {"hostbus", "hostport"},
)
USB_HELP = (
    'write `path = "vendorid=0x1234,productid=0xabcd"` (lsusb shows the ids)'
    ' or `path = "hostbus=1,hostaddr=4"`'
)
PCI_HELP = 'write the address as lspci -D shows it, e.g. `path = "0000:01:00.0"`'

# Which hypervisors' microvm.nix runners pass each bus through.
SUPPORTED = {
    "pci": ("qemu", "cloud-hypervisor", "crosvm", "kvmtool", "stratovirt"),
    "usb": ("qemu", "stratovirt"),
}


def devices(fleet: Fleet) -> Iterator[tuple[Vm, int, Device]]:
    for vm in fleet.vms:
        for index, device in enumerate(vm.devices):
            yield vm, index, device


def usb_valid(path: str) -> bool:
    pairs = path.split(",")
    names = {pair.partition("=")[0] for pair in pairs}
    if len(names) != len(pairs) or not all(re.fullmatch(USB_PAIR, p) for p in pairs):
        return False
    return names in USB_FORMS


def check_device_paths(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm, index, device in index_of(fleet).once(devices):
        valid = re.match(PCI, device.path) if device.bus == "pci" else None
        if device.bus == "usb":
            valid = usb_valid(device.path)
        if not valid:
            yield _malformed(vm, index, device)


def _malformed(vm: Vm, index: int, device: Device) -> Diagnostic:
    message = (
        f"malformed {device.bus.upper()} device path `{device.path}` (vm `{vm.name}`)"
    )
    help = PCI_HELP if device.bus == "pci" else USB_HELP
    if device.bus == "pci" and re.match(PCI, device.path.lower()):
        help = f'sysfs names PCI devices in lowercase: `path = "{device.path.lower()}"`'
    return error("F630", message, device.at("path"), help=help)


def check_unique_devices(fleet: Fleet) -> Iterator[Diagnostic]:
    seen = FirstSeen()
    for vm, index, device in index_of(fleet).once(devices):
        key = (vm.host, device.bus, device.path.lower())
        span = element_span(vm, "devices", index, device)
        label = seen.claim(key, f"vm `{vm.name}`", device.at("path"))
        if label:
            message = (
                f"{device.bus.upper()} device `{device.path}` is passed to two VMs"
                f" on host `{vm.host}`"
            )
            help = "a device can be bound to one VM at a time: remove one of them"
            yield error("F631", message, span, label=label, help=help)


def check_device_buses(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm, _index, device in index_of(fleet).once(devices):
        hypervisors = SUPPORTED.get(device.bus, ())
        if vm.hypervisor not in hypervisors:
            message = (
                f"hypervisor `{vm.hypervisor}` of vm `{vm.name}` cannot pass"
                f" {device.bus.upper()} devices through"
            )
            help = "microvm.nix supports it with " + ", ".join(hypervisors)
            yield error("F632", message, device.at("bus"), help=help)
