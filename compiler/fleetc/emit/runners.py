"""Runners built with the host's nixpkgs (`runner_from_host`).

The microvm.nix FAQ ("Can I build with hypervisors from the host's nixpkgs
instead of the MicroVM's?") answers with `lib.buildRunner`, as called by
pkgs/build-microvm.nix: `buildRunner { pkgs; microvmConfig; toplevel; }`.
Since microvm.nix's "Darwin support" (c034812, 2025) the hypervisor packages,
virtiofsd and the runner script itself come from the `microvm.vmHostPackages`
option and `pkgs` only from the runners' helpers, so fleetc sets both to the
host's pkgs (`nixosConfigurations.<host>.pkgs`: its overlays and config).

The result becomes the guest's `microvm.declaredRunner`, not a separate flake
output: the host's install-microvm service, `microvm -u`, `packages` and
`hydraJobs` all read declaredRunner, so every path builds the same runner.
"""

from __future__ import annotations

from . import nix
from ..core.model import Vm

# Guest settings sit at indent 1 in vms/<vm>.nix.
SETTINGS_INDENT = 1


def host_runner(vm: Vm) -> dict:
    if not vm.runner_from_host:
        return {}
    host_pkgs = nix.Expr(nix.attr_path("self", "nixosConfigurations", vm.host, "pkgs"))
    arguments = {
        "pkgs": host_pkgs,
        "microvmConfig": nix.Expr(
            "config.microvm // { inherit (config.networking) hostName; }"
        ),
        "toplevel": nix.Expr("config.system.build.toplevel"),
    }
    call = "inputs.microvm.lib.buildRunner " + nix.render(arguments, SETTINGS_INDENT)
    return {
        ("microvm", "vmHostPackages"): host_pkgs,
        ("microvm", "declaredRunner"): nix.Expr(call),
    }
