"""Which flake.lock pins a compiled fleet, read from disk, and what it says.

Standalone, `<output>/flake.lock` beside the generated flake.nix; embedded
(`embed = true`), the repository's root flake.lock (outside git, the fleet
file's directory's). Read as build reads it (nixbuild/flake_lock.py): only
a regular file, never through a link (F052), at most its size limit.
"""

from __future__ import annotations

from pathlib import Path

from ..checks.allowed import acknowledge
from ..checks.flake_lock import LockFound, check_flake_lock, input_changes
from ..core.diagnostics import Diagnostic, error, has_errors
from ..core.model import Fleet
from ..core.source import Source
from ..nixbuild import flake_lock
from ..nixbuild.flake_lock import StagingRefused
from ..output.disk_facts import repo_root
from .files import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, shown


def lock_dir(fleet: Fleet, out_dir: Path, root: Path) -> Path:
    """The directory of the flake that carries the fleet, and of its lock."""
    return root if fleet.embed else out_dir


def found_lock(fleet: Fleet, out_dir: Path, root: Path) -> LockFound:
    """flake.lock as read; StagingRefused when it is a link or not a file."""
    where = lock_dir(fleet, out_dir, root)
    data = flake_lock.read(where)
    name = shown(where / flake_lock.NAME)
    text = None if data is None else data.decode("utf-8", "replace")
    return LockFound(name, None if text is None else Source(name, text), fleet.embed)


def lock_diagnostics(fleet: Fleet, out_dir: Path, root: Path) -> list[Diagnostic]:
    if fleet.embed and not (root / "flake.nix").is_file():
        return [no_root_flake(fleet, root)]
    return check_flake_lock(fleet, found_lock(fleet, out_dir, root))


def no_root_flake(fleet: Fleet, root: Path) -> Diagnostic:
    message = (
        f"`embed = true`, but {shown(root / 'flake.nix')} does not exist: the"
        " repository's own flake must carry the fleet"
    )
    help = (
        "write it (README: adopting fleetc in an existing flake), calling"
        " `import ./<output>/outputs.nix inputs`; or set embed = false"
    )
    return error("F066", message, fleet.at("embed"), help=help)


def flake_root_dir(args) -> Path:
    """The repository's root (outside git, the fleet file's directory): where
    an embedding root flake and its flake.lock are."""
    fleet_dir = args.fleet.resolve().parent
    return repo_root(fleet_dir) or fleet_dir


def pins_checked(args, compiled) -> int:
    """What flake.lock says of the fleet's inputs, shown (check, generate
    --check, build); the exit code it calls for: 0, 1 (errors) or 2 (a lock
    that is a link or not a file, F052)."""
    fleet, root = compiled.result.fleet, flake_root_dir(args)
    try:
        found = lock_diagnostics(fleet, compiled.out_dir, root)
    except StagingRefused as refusal:
        args.report.show([refusal.diagnostic])
        return EXIT_USAGE
    found, acknowledged = acknowledge(fleet, found, complete=True, later=True)
    args.report.add_acknowledged(len(acknowledged))
    args.report.show(found)
    return EXIT_ERRORS if has_errors(found) else EXIT_OK


def shown_lock(args, compiled) -> LockFound:
    """The lock for plan and diff, which go on without one they cannot read
    (a link, F052: said, and read as no lock)."""
    fleet, root = compiled.result.fleet, flake_root_dir(args)
    try:
        return found_lock(fleet, compiled.out_dir, root)
    except StagingRefused as refusal:
        args.report.show([refusal.diagnostic])
        name = shown(lock_dir(fleet, compiled.out_dir, root) / flake_lock.NAME)
        return LockFound(name, None, fleet.embed)


def say_inputs(args, compiled) -> None:
    """diff: the input changes the next `fleetc lock` makes, on stderr."""
    fleet = compiled.result.fleet
    found = shown_lock(args, compiled)
    for line in inputs_text(fleet, found):
        args.report.say(f"fleetc: inputs: {line}")
    args.report.note("inputs", inputs_json(fleet, found))


LOCK_HOW = {False: "`fleetc lock`", True: "`nix flake lock` in the repository"}


def inputs_text(fleet: Fleet, found: LockFound) -> list[str]:
    """What `plan` and `diff` say of the inputs: the changes the next
    `fleetc lock` makes, or that nothing pins them."""
    how = LOCK_HOW[found.embedded]
    if found.source is None:
        return [f"none pinned: the inputs float until {how}"]
    changes = input_changes(fleet, found)
    lines = [f"{symbol} {name}  {what}" for symbol, name, what in changes]
    return lines + ([f"({how} makes these changes)"] if changes else [])


def inputs_json(fleet: Fleet, found: LockFound) -> dict:
    changes = input_changes(fleet, found)
    return {
        "lock": found.name,
        "locked": found.source is not None,
        "changes": [{"action": a, "input": n, "what": w} for a, n, w in changes],
    }
