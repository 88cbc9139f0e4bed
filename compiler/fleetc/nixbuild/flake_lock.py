"""The generated flake's flake.lock, which `fleetc lock` and `update` write
(Nix pins the inputs there) and `fleetc build` gives Nix as it is.

The lock beside the generated flake is repository content like any other: a
committed `generated/flake.lock` may be a link to a file outside the
repository (`~/.ssh/id_ed25519`). Copied with the link followed, that file
would land in the world-readable Nix store; written after Nix locks, the
link would be written through. So the lock is read and written only as a
regular file at that place: opened without following a final link, checked to
be a regular file (a FIFO is never waited on), read up to LIMIT bytes. A link,
anything else, or a larger file is refused (F052) before anything is staged.
Its mode is not judged as the repository's files are (F050): fleetc lock
writes it, as fleetc writes the generated files, and Nix needs it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..core.diagnostics import Diagnostic, error
from .staging_rules import place, shown

NAME = "flake.lock"
# A lock names each input once (some hundred bytes each); real ones are a few KiB.
LIMIT = 4 * 1024 * 1024
OPEN = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


# Here, not in staging.py: `check` reads the lock, and stages nothing.
class StagingRefused(Exception):
    """A file Nix would be given is refused (a linked flake.lock): nothing is
    staged and Nix does not run; the diagnostic says why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


HELP = (
    "flake.lock is written by `fleetc lock` (Nix pins the inputs there): remove"
    " the file, or restore it as a regular file from version control"
)


def read(out_dir: Path) -> bytes | None:
    """The lock beside the generated flake; None when there is none."""
    try:
        descriptor = os.open(out_dir / NAME, os.O_RDONLY | OPEN)
    except FileNotFoundError:
        return None
    except OSError as problem:
        raise linked(out_dir, problem) from None
    with os.fdopen(descriptor, "rb") as lock:
        regular_or_refuse(out_dir, descriptor)
        data = lock.read(LIMIT + 1)
    if len(data) > LIMIT:
        raise refused(out_dir, f"is larger than {LIMIT // (1024 * 1024)} MiB")
    return data


def write(out_dir: Path, data: bytes) -> None:
    """Replace the lock's content in place, never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | OPEN
    try:
        descriptor = os.open(out_dir / NAME, flags, 0o666)
    except OSError as problem:
        raise linked(out_dir, problem) from None
    with os.fdopen(descriptor, "wb") as lock:
        regular_or_refuse(out_dir, descriptor)
        lock.truncate(0)
        lock.write(data)


def regular_or_refuse(out_dir: Path, descriptor: int) -> None:
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        raise refused(out_dir, "is not a regular file")


def linked(out_dir: Path, problem: OSError) -> Exception:
    """O_NOFOLLOW's ELOOP: the lock is a link (F052); any other reason is the
    file system's (F032, as for the rest of staging)."""
    if problem.errno != errno.ELOOP:
        return problem
    try:
        target = f" (to `{shown(os.readlink(out_dir / NAME))}`)"
    except OSError:  # a loop further up: the message has no target to show
        target = ""
    return refused(out_dir, f"is a symbolic link{target}")


def refused(out_dir: Path, why: str) -> StagingRefused:
    where = place(out_dir, NAME)
    message = f"`{where}` {why}; it is never given to Nix nor written through"
    return StagingRefused(error("F052", message, None, file=where, help=HELP))
