"""`fleetc merge-lock`: git's merge driver for fleet.lock (`fleetc setup-git`).

git calls it as `fleetc merge-lock %O %A %B %P` during a merge, from the top
of the work tree: %O, %A and %B are files git wrote there (the merge base,
this branch's version, the merged branch's), %P the lock's path. The merged
lock goes into %A. Exit 0 (git takes %A as merged) only when the merge is
clean (lock/merge.py: no value changed apart on the two sides, no value given
to two VMs); otherwise %A is left holding all three versions between conflict
markers (never a sealed lock: committed as it is, every fleetc command
refuses it) and the exit is 1, so git reports the conflict and keeps the
three versions in its index, where `fleetc generate` reads them.

The paths come from git's command line, so they are checked like any input:
each of %O %A %B must be a regular file (not a link) inside the repository,
outside `.git`; %P a normalised relative path. Reads are bounded; %A is
written without following a link.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core.diagnostics import Diagnostic, error
from ..core.source import Source, display_path
from ..lock.lockfile import Lock, parse_lock, render_lock
from ..lock.merge import LockMerge, merge_locks
from ..output.disk_facts import repo_root
from ..output.git_index import READ_LIMIT

SIDES = ("merge base", "this branch", "merged branch")
_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class DriverRefused(Exception):
    """A path git gave cannot be used; `diagnostic` says why (nothing touched)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(frozen=True)
class DriverFiles:
    base: Path
    ours: Path
    theirs: Path
    name: str  # the lock as the repository names it (%P)


def driver_files(base: str, ours: str, theirs: str, name: str) -> DriverFiles:
    """The driver's arguments, each checked (DriverRefused otherwise)."""
    repo = repo_root(Path.cwd())
    if repo is None:
        raise _refused("merge-lock runs inside a git work tree (git calls it so)")
    checked = [_inside(repo, given) for given in (base, ours, theirs)]
    return DriverFiles(*checked, _lock_name(name))


def _inside(repo: Path, given: str) -> Path:
    """A regular file inside the repository, outside .git, not a link."""
    shown = display_path(given)
    if os.path.islink(given):
        raise _refused(f"`{shown}` is a symbolic link")
    real = Path(os.path.realpath(given))
    try:
        relative = real.relative_to(os.path.realpath(repo))
    except ValueError:
        raise _refused(f"`{shown}` is outside the repository") from None
    if ".git" in relative.parts:
        raise _refused(f"`{shown}` is inside .git")
    try:
        mode = os.lstat(real).st_mode
    except OSError as problem:
        raise _refused(f"`{shown}`: {problem.strerror}") from None
    if not stat.S_ISREG(mode):
        raise _refused(f"`{shown}` is not a regular file")
    return real


def _lock_name(name: str) -> str:
    parts = name.split("/")
    bad = name.startswith("/") or any(p in ("", ".", "..") for p in parts)
    if bad or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise _refused(f"`{display_path(name)}` is not a path inside the repository")
    return name


def _refused(message: str) -> DriverRefused:
    help = "let git call the driver: `fleetc setup-git` registers it"
    return DriverRefused(error("F822", f"merge-lock: {message}", None, help=help))


def read_side(path: Path, label: str, name: str) -> Source:
    """One version, read without following a link, at most READ_LIMIT bytes."""
    fd = os.open(path, _OPEN)
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise _refused(f"`{display_path(path)}` is not a regular file")
        data = file.read(READ_LIMIT + 1)
    if len(data) > READ_LIMIT:
        raise _refused(f"`{display_path(path)}` is larger than 64 MiB")
    text = data.decode("utf-8", "replace")  # not UTF-8: the lock parser says so
    return Source(f"{name} ({label})", text)


def merge_sides(sources: list[Source]) -> tuple[LockMerge | None, list[Diagnostic]]:
    """The three versions merged; None when one cannot be read as a lock."""
    locks: list[Lock] = []
    problems: list[Diagnostic] = []
    for source in sources:
        lock, found = parse_lock(source) if source.text else (Lock(), [])
        locks.append(lock)
        problems += found
    if any(d.is_error for d in problems):
        return None, problems
    return merge_locks(*locks), problems


def merged_text(merge: LockMerge, name: str) -> str:
    """The merged lock, sealed, with the header the fleet's generate writes."""
    fleet_file = PurePosixPath(name).with_suffix(".toml").name
    return render_lock(merge.lock, fleet_file)


def conflicted_text(sources: list[Source], name: str) -> str:
    """All three versions between markers, for `fleetc generate` to finish."""
    base, ours, theirs = (_ended(s.text) for s in sources)
    return (
        f"# {name}: a merge fleetc could not finish without the fleet file;"
        " run `fleetc generate` (it reads the three versions from git's index)\n"
        f"<<<<<<< this branch\n{ours}||||||| merge base\n{base}"
        f"=======\n{theirs}>>>>>>> merged branch\n"
    )


def _ended(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def write_result(path: Path, text: str) -> None:
    """%A replaced in place (git reads it back), never through a link."""
    flags = os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
