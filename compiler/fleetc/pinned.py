"""Which flake.lock pins a compiled fleet, read from disk, and what it says.

Standalone, `<output>/flake.lock` beside the generated flake.nix; embedded
(`embed = true`), the repository's root flake.lock (outside git, the fleet
file's directory's). Read as untrusted input: never through a symbolic link
(refused, F040, as everywhere in the tree), at most flake_lock.MAX_BYTES.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from . import flake_lock
from .checks.flake_lock import LockFound, check_flake_lock, input_changes
from .diagnostics import Diagnostic, error, has_errors
from .files import shown
from .journal import WriteRefused
from .model import Fleet
from .source import Source
from .writer import SYMLINK_HELP


def lock_path(fleet: Fleet, out_dir: Path, root: Path) -> Path:
    """The flake.lock of the flake that carries the fleet."""
    return (root if fleet.embed else out_dir) / flake_lock.NAME


def read_lock(path: Path) -> Source | None:
    """flake.lock's text (None when there is none); OSError, or WriteRefused
    for a link, when it cannot be read as a plain file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError:
        if os.path.islink(path):
            message = f"{shown(path)} is a symbolic link"
            raise WriteRefused(message, SYMLINK_HELP, "F040") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise IsADirectoryError(21, "not a regular file", str(path))
        data = handle.read(flake_lock.MAX_BYTES + 1)
    text = data.decode("utf-8", "replace")
    if len(data) > flake_lock.MAX_BYTES:
        text = "(larger than a lock file)"
    return Source(shown(path), text)


def found_lock(fleet: Fleet, out_dir: Path, root: Path) -> LockFound:
    path = lock_path(fleet, out_dir, root)
    return LockFound(shown(path), read_lock(path), fleet.embed)


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


def report_lock(report, fleet: Fleet, out_dir: Path, root: Path) -> bool:
    """Show what flake.lock says of the fleet's inputs; whether it has errors."""
    found = lock_diagnostics(fleet, out_dir, root)
    report.show(found)
    return has_errors(found)


def inputs_text(fleet: Fleet, found: LockFound) -> list[str]:
    """What `plan` and `diff` say of the inputs: the changes the next
    `fleetc lock` makes, or that nothing pins them."""
    if found.source is None:
        return [f"none pinned: the inputs float until {LOCK_HOW[found.embedded]}"]
    changes = input_changes(fleet, found)
    how = LOCK_HOW[found.embedded]
    return [f"{symbol} {name}  {what}" for symbol, name, what in changes] + (
        [f"({how} makes these changes)"] if changes else []
    )


LOCK_HOW = {False: "`fleetc lock`", True: "`nix flake lock` in the repository"}


def inputs_json(fleet: Fleet, found: LockFound) -> dict:
    changes = input_changes(fleet, found)
    return {
        "lock": found.name,
        "locked": found.source is not None,
        "changes": [{"action": a, "input": n, "what": w} for a, n, w in changes],
    }
