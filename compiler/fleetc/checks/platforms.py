"""What a hypervisor needs of the host it runs on (F610, F611).

vfkit drives Apple's Virtualization.framework: microvm.nix's lib/runners/vfkit.nix
throws unless the host is `*-darwin` ("vfkit only works on macOS") and the
guest has the host's architecture (no emulation). fleetc says so at the VM's
`hypervisor`, before Nix does.
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet

VFKIT = "vfkit"


def check_vfkit_hosts(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        if vm.hypervisor != VFKIT:
            continue
        host = fleet.host(vm.host)
        if host is None:
            continue
        label = f"host `{host.name}` is {host.system}"
        arch, _, kernel = host.system.partition("-")
        if kernel != "darwin":
            message = f"vm `{vm.name}` uses vfkit, which runs only on macOS hosts"
            help = "run it on a `*-darwin` host, or choose another hypervisor"
            yield error("F610", message, vm.at("hypervisor"), label=label, help=help)
        elif vm.system.partition("-")[0] != arch:
            message = f"vm `{vm.name}` is {vm.system}: vfkit runs only guests of its host's architecture"
            help = f"set the VM's `system` to `{arch}-linux`"
            yield error("F611", message, vm.at("hypervisor"), label=label, help=help)
