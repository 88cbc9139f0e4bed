"""microvm.nix's option declarations, as data (compiler/fleetc/data/microvm-options.json).

Source: the file's own "source" key, copied from shared/data/microvm-options.json:
microvm-nix/microvm.nix commit 71beea0 (2026-08-09), option declarations as
evaluated by lib.evalModules from nixos-modules/microvm/options.nix and
nixos-modules/host/options.nix. Refresh it by copying a newer extraction over it.

data/microvm-options-2025-07.json is the same extraction from astro/microvm.nix
f30ae9b (2025-07-12), the oldest generation fleetc's trees evaluate with
(`oldest`): emit/guards.py guards every option it lacks.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

OLDEST = "microvm-options-2025-07.json"


# Beside this module in the installed package. Not importlib.resources: its
# import (with tempfile, random, zipfile) cost `fleetc check` ~10 ms, a tenth
# of a pre-commit run, and fleetc is never run from a zip.
DATA = Path(__file__).parent.parent / "data"


@cache
def data(name: str = "microvm-options.json") -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def oldest() -> dict[str, Any]:
    return data(OLDEST)


def guest_option(*path: str) -> dict[str, Any]:
    """The declaration of `microvm.<path>` in the guest module (KeyError if absent)."""
    return _walk(data()["microvm_guest_options"], path)


def host_option(*path: str) -> dict[str, Any]:
    return _walk(data()["microvm_host_options"], path)


def submodule_option(declaration: dict[str, Any], *path: str) -> dict[str, Any]:
    """An option inside a `listOf (submodule ...)` or `attrsOf (submodule ...)`."""
    return _walk(declaration["type"]["elem"]["options"], path)


def enum_values(declaration: dict[str, Any]) -> tuple[str, ...]:
    kind = declaration["type"]
    while kind["name"] == "nullOr":
        kind = kind["elem"]
    return tuple(kind["values"])


def hypervisors() -> tuple[str, ...]:
    return tuple(data()["hypervisors"])


def interface_types() -> tuple[str, ...]:
    return enum_values(submodule_option(guest_option("interfaces"), "type"))


def macvtap_modes() -> tuple[str, ...]:
    return enum_values(submodule_option(guest_option("interfaces"), "macvtap", "mode"))


def share_protos() -> tuple[str, ...]:
    return enum_values(submodule_option(guest_option("shares"), "proto"))


def _walk(tree: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for name in path:
        tree = tree[name]
    return tree
