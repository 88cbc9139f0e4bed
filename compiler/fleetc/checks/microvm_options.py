"""`[vms.<vm>.microvm]`: any microvm.nix option by its path (F640..F643).

Each option is held against the guest option data of both generations fleetc
evaluates with (2025-07 and current): it must exist in one of them (one that
only one has is written guarded by its existence, emit/guards.py), take a
value a fleet file can hold, and the value must fit its type wherever it is
declared. Options fleetc writes from its own keys are refused: the two
definitions would conflict, and the fleet key is the one the checks know.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Iterator

from ..core import microvm_options, option_types
from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet
from .common import Suggester

# Options fleetc writes from a fleet key (emit/guest.py, emit/runners.py).
FLEET_KEYS = {
    "hypervisor": "hypervisor",
    "vcpu": "vcpu",
    "mem": "mem",
    "interfaces": "interfaces",
    "shares": "shares",
    "volumes": "volumes",
    "devices": "devices",
    "vsock.cid": "vsock_cid",
    "machineId": "machine_id",
    "vmHostPackages": "runner_from_host",
    "declaredRunner": "runner_from_host",
}


@cache
def generations() -> tuple[tuple[str, dict], ...]:
    """(label, guest option tree) of each generation, oldest first."""
    return (
        ("microvm.nix 2025-07", microvm_options.oldest()["microvm_guest_options"]),
        ("microvm.nix 2026-08", microvm_options.data()["microvm_guest_options"]),
    )


@cache
def suggester() -> Suggester:
    paths = {p for _, tree in generations() for p in option_types.leaves(tree)}
    return Suggester(sorted(paths))


def check_microvm_options(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        for path, value in vm.microvm:
            problem = judge(path, value)
            if problem is not None:
                code, message, help = problem
                span = vm.spans.get(f"microvm[{path}]") or vm.at("microvm")
                yield error(code, f"vm `{vm.name}`: {message}", span, help=help)


def judge(path: str, value: Any) -> tuple[str, str, str | None] | None:
    parts = tuple(path.split("."))
    if (owned := _fleet_key(parts)) is not None:
        return owned
    found = [(label, _declared(tree, parts)) for label, tree in generations()]
    declared = [(label, node) for label, node in found if node is not None]
    if not declared:
        return _unknown(path)
    for _, node in declared:
        if not option_types.writable(node["type"]):
            return _not_writable(path, node)
    refusing = [
        (label, node)
        for label, node in declared
        if not option_types.fits(node["type"], value)
    ]
    if refusing:
        return _misfit(path, refusing[0], len(refusing) < len(declared))
    return None


def _declared(tree: dict, parts: tuple[str, ...]) -> dict | None:
    node, _ = option_types.walk(tree, parts)
    return node if node is not None and option_types.is_declaration(node) else None


def _fleet_key(parts: tuple[str, ...]) -> tuple[str, str, str] | None:
    for length in range(len(parts), 0, -1):
        key = FLEET_KEYS.get(".".join(parts[:length]))
        if key is not None:
            option = "microvm." + ".".join(parts[:length])
            message = f"{option} is written by fleetc from the VM's `{key}` key"
            return "F641", message, f"set `{key}` on the VM instead"
    return None


def _unknown(path: str) -> tuple[str, str, str]:
    groups = [_group(tree, path) for _, tree in generations()]
    if any(groups):
        inside = sorted({option for group in groups for option in group})
        message = f"microvm.{path} is a group of options, not an option"
        return "F640", message, "its options: " + ", ".join(inside[:8])
    close = suggester()(path)
    help = close.replace("`", "`microvm.", 1) if close else None
    message = f"microvm.nix has no option microvm.{path} (2025-07 or 2026-08)"
    return "F640", message, help or "see microvm.nix's doc/src/options.md"


def _group(tree: dict, path: str) -> list[str]:
    node, _ = option_types.walk(tree, tuple(path.split(".")))
    if node is None or option_types.is_declaration(node):
        return []
    return [f"{path}.{name}" for name in option_types.leaves(node)]


def _not_writable(path: str, node: dict) -> tuple[str, str, str]:
    kind = option_types.describe(node["type"])
    message = f"microvm.{path} takes {kind}, which only Nix can write"
    help = "set it in a module of the VM (`modules` or [fleet] vm_modules)"
    return "F643", message, help


def _misfit(
    path: str, refusing: tuple[str, dict], one_of_two: bool
) -> tuple[str, str, str | None]:
    """`one_of_two`: the other generation takes the value; the tree must
    evaluate with both."""
    label, node = refusing
    expected = option_types.describe(node["type"])
    message = f"microvm.{path} expects {expected}"
    if one_of_two:
        message += f" in {label} (the other generation takes this value)"
    return "F642", message, None
