"""`fleetc lock` and `fleetc update`: Nix pins the generated flake's inputs.

`lock` runs `nix flake lock` (inputs already pinned stay as they are; new ones
are pinned, dropped ones leave), `update` pins all inputs anew, or only the
named ones (`--update-input`), and both print each change, old -> new.

Nix is given a scratch directory holding only the flake.nix this fleet
compiles to and the flake.lock beside the generated one, never the output
directory itself: a `path:` flake would copy everything in it to the store,
and the output may be the repository's root. fleetc then replaces
`<output>/flake.lock` (Nix's file: never in the manifest, never touched by
`generate`) atomically, under the writer's lock, never through a link.
Embedded fleets are pinned by the repository's own flake.lock, which is the
repository's: `nix flake lock` there.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from . import flake_inputs, flake_lock, nixfetch
from .build import NIX_FLAGS, NO_NIX
from .commands import Compiled, compile_fleet, say_waiting
from .exclusive import exclusive
from .files import EXIT_NIX, EXIT_OK, shown, usage_problem
from .pinned import read_lock
from .writer import write_file_atomically

EMBEDDED = (
    "{fleet} is embedded (`embed = true`): the repository's flake.lock pins its"
    " inputs; run `nix flake lock` there (`nix flake lock --update-input NAME`"
    " to update one)"
)


def cmd_lock(args) -> int:
    return pin(args, [])


def cmd_update(args) -> int:
    return pin(
        args, ["--recreate-lock-file"] if not args.inputs else update_flags(args)
    )


def update_flags(args) -> list[str]:
    return [flag for name in args.inputs for flag in ("--update-input", name)]


def pin(args, nix_flags: list[str]) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    fleet = compiled.result.fleet
    if fleet.embed:
        return usage_problem(args.report, EMBEDDED.format(fleet=shown(args.fleet)))
    unknown = unknown_inputs(args, fleet)
    if unknown:
        return usage_problem(args.report, unknown)
    say_if_stale(args.report, compiled)
    with exclusive(compiled.out_dir, None, lambda: say_waiting(args.report, compiled)):
        return locked(args, compiled, nix_flags + args.nix_args)


def unknown_inputs(args, fleet) -> str | None:
    declared = flake_inputs.urls(fleet)
    unknown = [
        name for name in getattr(args, "inputs", None) or [] if name not in declared
    ]
    if not unknown:
        return None
    names = ", ".join(declared)
    return f"no input named {', '.join(unknown)} (the fleet declares {names})"


def say_if_stale(report, compiled: Compiled) -> None:
    """The lock is made for the fleet as compiled now; say so when the tree
    on disk is older (`generate` writes the flake.nix it belongs to)."""
    flake = compiled.out_dir / "flake.nix"
    try:
        current = (
            flake.read_text(encoding="utf-8") == compiled.result.files["flake.nix"]
        )
    except (OSError, UnicodeDecodeError):
        current = False
    if not current:
        report.say(
            f"fleetc: {shown(flake)} is not the fleet's flake.nix yet:"
            " run `fleetc generate` too (the lock is for the fleet as it is now)"
        )


def locked(args, compiled: Compiled, nix_args: list[str]) -> int:
    path = compiled.out_dir / flake_lock.NAME
    old = read_lock(path)
    text, stderr = run_nix(compiled.result.files["flake.nix"], old, nix_args)
    if text is None:
        sys.stderr.write(stderr)
        hint = nixfetch.hint(compiled.result.fleet, stderr)
        args.report.say(hint or "fleetc: nix could not lock the flake's inputs")
        return EXIT_NIX
    before = old.text if old is not None else None
    if text != before:
        write_file_atomically(path, text)
    say_changes(args.report, shown(path), before, text)
    return EXIT_OK


def run_nix(flake_nix: str, old, nix_args: list[str]) -> tuple[str | None, str]:
    """(the new flake.lock, or None when nix failed; nix's stderr)."""
    with tempfile.TemporaryDirectory(prefix="fleetc-lock-") as scratch:
        where = Path(scratch)
        (where / "flake.nix").write_text(flake_nix, encoding="utf-8")
        if old is not None:
            (where / flake_lock.NAME).write_text(old.text, encoding="utf-8")
        command = ["nix", "flake", "lock", *NIX_FLAGS, f"path:{where}", *nix_args]
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except FileNotFoundError:
            return None, NO_NIX + "\n"
        written = where / flake_lock.NAME
        if done.returncode != 0 or not written.is_file():
            return None, done.stderr
        return written.read_text(encoding="utf-8"), done.stderr


def changes(before: str | None, after: str) -> list[dict]:
    """Per input, old and new revision (None: not pinned then), changed ones only."""
    old = pins(before)
    new = pins(after)
    found = []
    for name in sorted(old.keys() | new.keys()):
        was = old[name].revision if name in old else None
        now = new[name].revision if name in new else None
        if was != now:
            found.append({"name": name, "old": was, "new": now})
    return found


def pins(text: str | None) -> dict:
    if text is None:
        return {}
    try:
        return flake_lock.parse(text)
    except flake_lock.BadFlakeLock:  # replaced now; its pins are unknown
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
