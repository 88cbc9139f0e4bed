"""lib/meta.nix: every VM's free-form `meta`, exported as the flake's lib.meta.

Only written when some VM has meta; then every VM has an entry, so a module
shared by all VMs can read its own without a fallback. Keys and strings go
through nix.py like every other user value.
"""

from __future__ import annotations

from ..core.model import Fleet
from .common import by_name
from .templating import render

PATH = "lib/meta.nix"


def has_meta(fleet: Fleet) -> bool:
    return any(vm.meta for vm in fleet.vms)


def meta_files(fleet: Fleet, layout) -> dict[str, str]:
    if not has_meta(fleet):
        return {}
    table = {vm.name: dict(vm.meta) for vm in by_name(fleet.vms)}
    return {PATH: render("meta.nix.j2", layout.source_name, meta=table)}
