"""`[vms.<vm>.microvm]`: microvm.nix options set by path, as written.

Each is an option path no setting of fleetc's own reaches (the checks refuse
the options fleetc writes, F641), so they join the VM's module as dotted
attributes beside fleetc's. An option either generation lacks is listed for
lib/compat.nix (emit/guards.py).
"""

from __future__ import annotations

from . import nix
from ..core.model import Vm

ASKED_WHY = "microvm.nix options the fleet sets by path ([vms.<vm>.microvm])"


def microvm_settings(vm: Vm) -> dict:
    settings = {
        ("microvm", *path.split(".")): value for path, value in sorted(vm.microvm)
    }
    for key, value in settings.items():  # the comment, once above the first
        settings[key] = nix.Commented(value, ASKED_WHY)
        break
    return settings
