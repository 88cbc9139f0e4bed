"""fleetc's own files in the output directory, seen without following anything.

`read_own` reads a manifest, journal or pending list as fleetc wrote it: a
regular file, never through a link (F040), never a device or FIFO (F041),
never more than transaction.READ_LIMIT (+1) bytes. The rest says what is on
disk at the names a journal or pending list gives (bookkeeping.py), before
anything is touched: a link at or above a name, or the wrong kind of file
there (F047), and whether a file it replaces or removes is one the manifest
owns (F048).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Callable, Iterator

from .manifest import checked_manifest, quoted
from .transaction import MANIFEST, READ_LIMIT, WriteRefused
from .tree import kind

HELP = (
    "fleetc never commits its journal or pending list: if a run of fleetc was "
    "killed here, restore the generated tree and fleet.lock from version "
    "control; then delete the file"
)
# A problem with one entry: (code, the text of the entry, why).
Problem = tuple[str, str, str]
IsLock = Callable[[str], bool]


def read_own(path: Path) -> bytes | None:
    """A file of fleetc's own (manifest, journal, pending list): never through
    a link, never a device or FIFO, never more than READ_LIMIT (+1) bytes;
    None when absent."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as problem:
        if problem.errno == errno.ELOOP:
            raise _link(path) from None
        raise _unreadable(path, problem.strerror) from None
    # fstat before the file object: open() of a directory's descriptor raises
    # an error naming the descriptor, not the file.
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _unreadable(path, "not a regular file")
    with open(fd, "rb") as file:
        return file.read(READ_LIMIT + 1)


def journal_on_disk(out_dir: Path, found: dict, is_lock: IsLock) -> Iterator[Problem]:
    owned = _Owned(out_dir)
    for temp, name in found["renames"]:
        yield from _files_at(out_dir, [temp, name])
        if name == MANIFEST or is_lock(name):
            continue
        if _present(out_dir, temp) and _present(out_dir, name):  # replaced
            yield from owned.check(name, "replaced")
    for name, _ in found["unlinks"]:
        yield from _files_at(out_dir, [name])
        if _present(out_dir, name):
            yield from owned.check(name, "removed")
    for name in found["prune"]:
        yield from _on_the_way(out_dir, name, ("dir", "missing"))


class _Owned:
    """The names the manifest on disk owns, read once, when first asked
    (judged as every reader judges it: a bad manifest is refused, F042..)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.names: set[str] | None = None

    def check(self, name: str, done: str) -> Iterator[Problem]:
        if self.names is None:
            data = read_own(self.out_dir / MANIFEST)
            files = {} if data is None else checked_manifest(self.out_dir, data).files
            self.names = set(files)
        if name not in self.names:
            why = f"`{quoted(name)}` would be {done}, but the manifest does not own it"
            yield "F048", name, why


def _present(out_dir: Path, name: str) -> bool:
    return kind(out_dir / name) != "missing"


def pending_on_disk(out_dir: Path, temps: list, dirs: list) -> Iterator[Problem]:
    yield from _files_at(out_dir, temps)
    for name in dirs:
        yield from _on_the_way(out_dir, name, ("dir", "missing"))


def _files_at(out_dir: Path, names: list[str]) -> Iterator[Problem]:
    for name in names:
        yield from _on_the_way(out_dir, name, ("file", "missing"))


def _on_the_way(out_dir: Path, name: str, kinds: tuple[str, ...]) -> Iterator[Problem]:
    """A link at or above `name` (inside the output directory), or something
    other than `kinds` at it."""
    parts = [] if name.startswith("/") else name.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        parent = "/".join(parts[:depth])
        if kind(out_dir / parent) == "link":
            yield "F047", name, f"`{quoted(parent)}` on the way to `{quoted(name)}` is a symbolic link"
            return
    found = kind(out_dir / name)
    if found not in kinds:
        yield "F047", name, f"`{quoted(name)}` is {_ARTICLE[found]}, not what fleetc left there"


_ARTICLE = {"link": "a symbolic link", "dir": "a directory", "file": "a file"}
_ARTICLE["other"] = "a special file"


def _link(path: Path) -> WriteRefused:
    return WriteRefused(
        f"{path} is a symbolic link",
        "fleetc reads its own files only as files: remove the link",
        "F040",
    )


def _unreadable(path: Path, problem: str) -> WriteRefused:
    return WriteRefused(f"{path} cannot be read: {problem}", HELP, code="F041")
