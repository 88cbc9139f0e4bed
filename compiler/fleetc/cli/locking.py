"""`fleetc lock` and `fleetc update`: Nix pins the generated flake's inputs
in `<output>/flake.lock`, and each change is said, old -> new.

`lock` keeps what is pinned, pins new inputs and drops removed ones (`nix
flake lock`); `update` pins every input, or the named ones, anew. The lock is
Nix's file: never in the manifest, never touched by `generate`; it is read
and written only as a regular file, never through a link (F052,
nixbuild/flake_lock.py), under the output's writer lock. An embedded fleet
is pinned by the repository's own flake.lock, which is the repository's.
"""

from __future__ import annotations

import sys

from ..core import flake_inputs, flake_pins
from ..nixbuild import flake_lock, locking, nixfetch
from ..nixbuild.flake_lock import StagingRefused
from ..output.exclusive import exclusive
from ..output.transaction import WriteRefused
from ..output.tree import Tree, digest
from .compiled import Compiled, compile_fleet
from .files import EXIT_NIX, EXIT_OK, EXIT_USAGE, shown, usage_problem
from .writing import say_waiting

EMBEDDED = (
    "{fleet} is embedded (`embed = true`): the repository's flake.lock pins its"
    " inputs; run `nix flake lock` there (`nix flake lock --update-input NAME`"
    " to update one)"
)


def pin(args, names: list[str] | None) -> int:
    """lock (names None) or update (all, or the named inputs)."""
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    fleet = compiled.result.fleet
    if fleet.embed:
        return usage_problem(args.report, EMBEDDED.format(fleet=shown(args.fleet)))
    unknown = unknown_inputs(fleet, names or [])
    if unknown:
        return usage_problem(args.report, unknown)
    flags = [] if names is None else locking.update_flags(names)
    say_if_stale(args.report, compiled)
    waiting = lambda: say_waiting(args.report, compiled)  # noqa: E731
    with exclusive(compiled.out_dir, None, waiting):
        try:
            return pinned(args, compiled, flags + args.nix_args)
        except StagingRefused as refusal:  # a link or no regular file (F052)
            args.report.show([refusal.diagnostic])
            return EXIT_USAGE


def unknown_inputs(fleet, names: list[str]) -> str | None:
    declared = flake_inputs.urls(fleet)
    unknown = [name for name in names if name not in declared]
    if not unknown:
        return None
    return f"no input named {', '.join(unknown)} (the fleet declares {', '.join(declared)})"


def say_if_stale(report, compiled: Compiled) -> None:
    """The lock is made for the fleet as compiled now; say so when the tree
    on disk is older (`generate` writes the flake.nix it belongs to)."""
    flake = compiled.out_dir / "flake.nix"
    try:  # as the writer reads it: never through a link, never from a FIFO
        on_disk = Tree(compiled.out_dir).hash("flake.nix", wanted=False)
    except (OSError, WriteRefused):
        on_disk = None
    if on_disk != digest(compiled.result.files["flake.nix"]):
        report.say(
            f"fleetc: {shown(flake)} is not the fleet's flake.nix yet:"
            " run `fleetc generate` too (the lock is for the fleet as it is now)"
        )


def pinned(args, compiled: Compiled, nix_args: list[str]) -> int:
    old = flake_lock.read(compiled.out_dir)
    flake_nix = compiled.result.files["flake.nix"]
    new, stderr = locking.lock(flake_nix, old, nix_args)
    if new is None:
        sys.stderr.write(stderr)
        hint = nixfetch.hint(compiled.result.fleet, stderr)
        args.report.say(hint or "fleetc: nix could not lock the flake's inputs")
        return EXIT_NIX
    if new != old:
        flake_lock.write(compiled.out_dir, new)
    name = shown(compiled.out_dir / flake_lock.NAME)
    say_changes(args.report, name, text_of(old), new.decode("utf-8", "replace"))
    return EXIT_OK


def text_of(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "replace")


def changes(before: str | None, after: str) -> list[dict]:
    """Per input, old and new revision (None: not pinned then); changed ones."""
    old, new = pins(before), pins(after)
    found = []
    for name in sorted(old.keys() | new.keys()):
        was = old[name].revision if name in old else None
        now = new[name].revision if name in new else None
        if was != now:
            found.append({"name": name, "old": was, "new": now})
    return found


def pins(text: str | None) -> dict:
    try:
        return flake_pins.parse(text) if text is not None else {}
    except flake_pins.BadFlakeLock:  # replaced now; its pins are unknown
        return {}


def say_changes(report, name: str, before: str | None, after: str) -> None:
    found = changes(before, after)
    for change in found:
        old, new = change["old"], change["new"]
        if old is None:
            text = f"pinned {pins(after)[change['name']].url or ''} at {new}"
        elif new is None:
            text = "dropped (no longer declared)"
        else:
            text = f"{old} -> {new}"
        report.say(f"fleetc: {name}: {change['name']}: {text}")
    if not found:
        report.say(f"fleetc: {name}: every input as pinned before")
    report.note("inputs", found)
