"""One writer at a time per output directory and fleet.lock, without a lock file.

`flock` is taken on directories that exist anyway (the output directory and
the one holding fleet.lock), so nothing is added to the user's repository. A
second run waits for the first, then finishes whatever it finds unfinished
(`bookkeeping.recover`) and clears the staging directories older fleetc
versions left beside the output when they were killed: only those it can tell
are fleetc's (the name, a process that is gone, the user's own, a manifest
inside) and git does not track, for they are outside the output directory.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import stat
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Callable, Iterator

from . import bookkeeping
from . import transaction as journal
from .manifest import checked_manifest
from .own_files import read_own
from .tracked import tracked

# (st_dev, st_ino) of every directory this process holds: flock locks belong to
# an open file description, so taking one twice in one process would deadlock.
_held: set[tuple[int, int]] = set()


@contextmanager
def exclusive(
    out_dir: Path,
    lock_file: Path | None,
    waiting: Callable[[], None] = lambda: None,
) -> Iterator[bool]:
    """Hold both directories, finish an interrupted run; yields whether one was.

    Re-entrant within one process (`write_outputs` holds it around `write_tree`).
    """
    if not out_dir.is_dir():
        out_dir.mkdir(parents=True, exist_ok=True)
    directories = [out_dir] if lock_file is None else [out_dir, lock_file.parent]
    with ExitStack() as stack:
        for directory in _unique_dirs(directories):
            stack.enter_context(_flocked(directory, waiting))
        finished = bookkeeping.recover(out_dir, lock_file)
        clear_old_staging(out_dir, lock_file)
        yield finished


def _unique_dirs(directories: list[Path]) -> list[tuple[tuple[int, int], Path]]:
    """Each directory once, in one global order (two runs never wait on each other)."""
    found = {}
    for directory in directories:
        status = os.stat(directory)
        found.setdefault((status.st_dev, status.st_ino), directory)
    return sorted(found.items())


@contextmanager
def _flocked(entry: tuple[tuple[int, int], Path], waiting: Callable[[], None]):
    key, directory = entry
    if key in _held:
        yield
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _lock(fd, waiting)
        _held.add(key)
        yield
    finally:
        _held.discard(key)
        os.close(fd)  # releases the lock


def _lock(fd: int, waiting: Callable[[], None]) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        waiting()
        fcntl.flock(fd, fcntl.LOCK_EX)


def clear_old_staging(out_dir: Path, lock_file: Path | None) -> None:
    """Remove what fleetc before the journal left when killed, when provably its own.

    Staging trees `.<out>.fleetc-<pid>[.old]` beside the output (they hold a
    fleetc manifest), the symlink such a swap displaced, and `.fleet.lock.fleetc-<pid>`
    temp files; only for processes that are gone, owned by this user, and
    untracked by git (a committed one is anybody's). One directory listing each.
    """
    found = _old_temps(out_dir.parent, out_dir.name, r"(\.old)?")
    for path in _untracked([p for p in found if _staging(p)]):
        if path.is_symlink():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)
    found = _old_temps(lock_file.parent, lock_file.name, "") if lock_file else []
    for path in _untracked([p for p in found if _kind(p) == "file"]):
        path.unlink()


def _staging(path: Path) -> bool:
    """A link, or a directory holding a manifest fleetc wrote."""
    kind = _kind(path)
    if kind != "dir":
        return kind == "link"
    try:
        data = read_own(path / journal.MANIFEST)
        if data is None:
            return False
        checked_manifest(path, data)  # raises when fleetc did not write it
    except (journal.WriteRefused, OSError):
        return False
    return True


def _kind(path: Path) -> str | None:
    """`file`, `dir` or `link` when it is this user's, else None."""
    try:
        status = os.lstat(path)
    except OSError:
        return None
    if status.st_uid != os.geteuid():
        return None
    if stat.S_ISLNK(status.st_mode):
        return "link"
    return "dir" if stat.S_ISDIR(status.st_mode) else "file"


def _untracked(paths: list[Path]) -> list[Path]:
    known = tracked(paths)
    return [] if known is None else [path for path in paths if path not in known]


def _old_temps(directory: Path, name: str, tail: str) -> list[Path]:
    pattern = re.compile(rf"\.{re.escape(name)}\.fleetc-([0-9]+){tail}")
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    found = []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and not _alive(int(match.group(1))):
            found.append(Path(entry.path))
    return found


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False  # kill(0, ...) would mean our own process group
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
