"""`[vms.<vm>.microvm]`: microvm.nix options set by path, as written.

They are a part of the guest module of their own: an option fleetc's other
settings also reach into (`microvm.vsock`) is merged by the module system,
not by Nix attribute sets. An option either generation lacks is written only
where the evaluating microvm.nix declares it (emit/guards.py).
"""

from __future__ import annotations

from ..core.model import Vm
from . import guards
from .runners import SETTINGS_INDENT


def microvm_settings(vm: Vm) -> tuple[dict, guards.Newer]:
    """(settings both generations declare, the guarded rest)."""
    settings = {
        ("microvm", *path.split(".")): value for path, value in sorted(vm.microvm)
    }
    return guards.split(settings, guards.both_tree(), SETTINGS_INDENT)
