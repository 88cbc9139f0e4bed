"""Emitters render a checked model into files: relative path -> text.

The model has passed every check and every value is filled in (allocation ran),
so nothing here validates (but for the retire unit's `rm -rf`, whose name is
checked a second time). Python decides the content; templates only lay it out.

May import: core, lock. Never: output, nixbuild, review, cli (tests/test_layers.py).
"""

from __future__ import annotations

from ..core.model import Fleet
from .addresses import addresses_file
from .common import by_name
from .compat import compat_files
from .deploy import deploy_files
from .flake import PATH as FLAKE
from .flake import flake_file
from .guards import newer_hypervisor
from .guest import every_vm_files, vm_file
from .host import host_file
from .meta import meta_files
from .outputs import PATH as OUTPUTS
from .outputs import outputs_file
from .overlays import overlays_files
from .roots import PATH as ROOTS
from .roots import roots_file


def emit(fleet: Fleet, layout) -> dict[str, str]:
    # Embedded, the repository's own flake.nix calls outputs.nix: none here.
    files = {} if fleet.embed else {FLAKE: flake_file(fleet, layout)}
    files[OUTPUTS] = outputs_file(fleet, layout)
    files["lib/addresses.nix"] = addresses_file(fleet, layout)
    files[ROOTS] = roots_file(layout)
    files |= meta_files(fleet, layout) | overlays_files(fleet, layout)
    newer: set[str] = set()  # what lib/compat.nix must list
    for host in by_name(fleet.hosts):
        files[f"hosts/{host.name}.nix"] = host_file(fleet, host, layout, newer)
        files |= deploy_files(fleet, host, layout)
    files |= every_vm_files(fleet, layout, newer)
    for vm in by_name(fleet.vms):
        files[f"vms/{vm.name}.nix"] = vm_file(fleet, vm, layout, newer)
    uses = newer or any(newer_hypervisor(vm.hypervisor) for vm in fleet.vms)
    return files | compat_files(newer, layout, bool(uses))
