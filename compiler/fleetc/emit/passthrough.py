"""microvm.devices: the PCI and USB devices a VM is given (checked unique per
host by checks/passthrough.py). The option exists in every microvm.nix
generation fleetc supports, so it needs no guard."""

from __future__ import annotations

from ..core.model import Vm


def passthrough(vm: Vm) -> dict:
    if not vm.devices:
        return {}
    listed = [{"bus": device.bus, "path": device.path} for device in vm.devices]
    return {("microvm", "devices"): listed}
