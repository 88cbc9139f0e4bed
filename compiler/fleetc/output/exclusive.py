"""One writer at a time per output directory and fleet.lock, without a lock file.

`flock` is taken on directories that exist anyway (the output directory and
the one holding fleet.lock), so nothing is added to the user's repository. A
second run waits for the first, then finishes whatever it finds unfinished
(`journal.recover`) and clears the staging directories older fleetc versions
left beside the output when they were killed.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Callable, Iterator

from . import transaction as journal

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
        finished = journal.recover(out_dir)
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
    temp files; only for processes that are gone. One directory listing each.
    """
    for path in _old_temps(out_dir.parent, out_dir.name, r"(\.old)?"):
        if path.is_symlink():
            path.unlink()
        elif (path / journal.MANIFEST).is_file():
            shutil.rmtree(path, ignore_errors=True)
    for path in _old_temps(lock_file.parent, lock_file.name, "") if lock_file else []:
        if path.is_file() and not path.is_symlink():
            path.unlink()


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
