"""What `fleetc plan` says after the VMs: the inputs the next `fleetc lock`
changes, and the order to deploy in (review/deploy_order.py), with the
paths as a command run here names them."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.source import display_path
from ..review.deploy_order import deploy_order
from ..review.plan_render import order_json, order_text
from .pinned import flake_root_dir, inputs_json, inputs_text, shown_lock


def plan_tail(args, compiled) -> tuple[str, dict]:
    """(the text after the plan, the same as JSON data)."""
    fleet = compiled.result.fleet
    pins = shown_lock(args, compiled)
    out = here(compiled.out_dir) if args.out else None
    order = deploy_order(
        fleet, display_path(args.fleet), flake_dir(args, compiled), out
    )
    text = inputs_section(pins.name, inputs_text(fleet, pins)) + order_text(order)
    data = {"inputs": inputs_json(fleet, pins), "deploy_order": order_json(order)}
    return text, data


def inputs_section(name: str, lines: list[str]) -> str:
    if not lines:
        return ""
    return f"\nInputs ({name}):\n" + "".join(f"  {line}\n" for line in lines)


def flake_dir(args, compiled) -> str:
    """The directory of the flake carrying the fleet: the output, or the
    repository's root when that flake embeds it."""
    if compiled.result.fleet.embed:
        return here(flake_root_dir(args))
    return here(compiled.out_dir)


def here(directory: Path) -> str:
    """`directory` as a path a command run here names (Nix reads a bare word
    as a registry name: `./` in front)."""
    relative = os.path.relpath(directory)
    return relative if relative.startswith((".", "/")) else f"./{relative}"
