"""One write transaction: a kill at any instant is rolled forward or cleaned up.

The files of one run (the generated tree, its manifest and fleet.lock) change
together, in four steps, all in files with fixed fleetc-owned names:

1. `.fleetc-pending.json` in the output directory names every temp file and
   directory the run is about to create (so a kill before the commit leaves
   nothing that a later run cannot find without scanning the user's tree); it
   is written under a temp name and renamed into place, so that, like the
   journal, it is whole or absent: one that is not is not fleetc's;
2. every changed file is written to `.<name>.fleetc-new` beside its target,
   then one `syncfs` per file system makes them durable;
3. `.fleetc-journal.json` names every rename and unlink (fleet.lock's too); it
   is written under a temp name, synced and renamed into place: the commit;
4. the unlinks, then the renames (the tree's files, the manifest, fleet.lock),
   the directories synced, the journal removed. The old manifest stays in
   place until every unlink and every other file of the tree is done, so a
   later run can tell that what the journal replaces or removes is fleetc's.

`bookkeeping.recover` runs first in every later run (under the writer's flock):
it reads both files as untrusted input, then completes a journal (each step is
idempotent: a temp already renamed is gone, and an unlink only removes the
exact bytes it was planned for) or, without one, removes the pending list's
temps and new empty directories. So after any kill every owned file is old or
new, and tree and lock move together.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core.diagnostics import Diagnostic

MANIFEST = ".fleetc-manifest.json"
PENDING = ".fleetc-pending.json"
JOURNAL = ".fleetc-journal.json"
JOURNAL_TEMP = ".fleetc-journal.fleetc-new"
TEMP_SUFFIX = ".fleetc-new"
PENDING_TEMP = PENDING + TEMP_SUFFIX
# fleetc's own files read back (the manifest, the journal, the pending list)
# are read up to this: far above any real one (about 100 bytes a generated
# file), so that a committed file of gigabytes, or a link to /dev/zero, is
# refused before it is read.
READ_LIMIT = 64 << 20
READ_LIMIT_SHOWN = "64 MiB"


# Why a temp file named in the pending list may not exist: it never was made.
_NEVER_CREATED = {errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG}


class WriteRefused(Exception):
    """The write would destroy something fleetc does not own; nothing was changed.

    `diagnostic`: a file fleetc reads back (manifest, journal, pending list)
    is not one it wrote, or the tree is another fleet's: bad input, located
    where possible (exit 1); None for what is on disk in the way (exit 2)."""

    diagnostic: Diagnostic | None = None

    def __init__(self, message: str, help: str, code: str = "F007") -> None:
        super().__init__(message)
        self.help = help
        self.code = code


class BadInput(WriteRefused):
    """A WriteRefused that is bad input, said by its diagnostic (exit 1)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message, diagnostic.help or "", diagnostic.code)
        self.diagnostic = diagnostic


@dataclass
class Change:
    """What one run changes; names are relative to the output directory or absolute."""

    # name -> its new text, encoded (UTF-8) only as it is written: the texts are
    # the compile's own strings, so the tree (33 MB at 10,000 VMs) is not held
    # a second time as bytes, which was generate's peak memory.
    writes: dict[str, str] = field(default_factory=dict)
    # name -> sha256 of the exact bytes planned for removal
    unlinks: dict[str, str] = field(default_factory=dict)
    new_dirs: list[str] = field(default_factory=list)  # parents first
    prune: list[str] = field(default_factory=list)  # deepest first

    def __bool__(self) -> bool:
        return bool(self.writes or self.unlinks)


def temp_name(name: str) -> str:
    head, _, tail = name.rpartition("/")
    return f"{head}/.{tail}{TEMP_SUFFIX}" if head else f".{tail}{TEMP_SUFFIX}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def commit(out_dir: Path, change: Change) -> None:
    """Apply `change` so that a kill at any point is finished by `recover`."""
    journal = {
        "renames": [[temp_name(name), name] for name in change.writes],
        "unlinks": sorted(change.unlinks.items()),
        "prune": change.prune,
    }
    temps = [temp_name(name) for name in change.writes]
    try:
        _prepare(out_dir, change, temps)
        _write_json(out_dir / JOURNAL_TEMP, journal)
    except BaseException:
        _clean_up_after_failure(out_dir, temps, change.new_dirs)
        raise
    os.rename(out_dir / JOURNAL_TEMP, out_dir / JOURNAL)  # the commit
    fsync_dir(out_dir)
    roll_forward(out_dir, journal)


def _prepare(out_dir: Path, change: Change, temps: list[str]) -> None:
    """Steps 1 and 2: the pending list, then every new file under its temp name."""
    _write_json(out_dir / PENDING_TEMP, {"temps": temps, "dirs": change.new_dirs})
    os.rename(out_dir / PENDING_TEMP, out_dir / PENDING)
    for name in change.new_dirs:
        os.mkdir(at(out_dir, name))
    for text, temp in zip(change.writes.values(), temps, strict=True):
        write_new(at(out_dir, temp), text.encode())
    parents = {os.path.dirname(at(out_dir, name)) for name in change.writes}
    sync_filesystems({os.fspath(out_dir), *parents})


def at(out_dir: Path, name: str) -> str:
    """`out_dir / name` as a string (no pathlib object per file: 11,003 of them
    at 10,000 VMs): the tree's names are relative, fleet.lock's absolute."""
    return name if name[:1] == "/" else f"{os.fspath(out_dir)}/{name}"


def _clean_up_after_failure(out_dir: Path, temps: list[str], dirs: list[str]) -> None:
    """Not committed: as if this run never started (or a later run finishes this)."""
    try:
        clean_pending(out_dir, temps, dirs)
    except OSError:
        pass  # the original failure is the one to report


def roll_forward(out_dir: Path, journal: dict) -> None:
    """Step 4 (again, after a kill): `journal` is this run's, or one that
    bookkeeping.read_journal has judged fleetc's."""
    for name, expected in journal["unlinks"]:
        _unlink_if(out_dir / name, expected)
    renames = rename_order(journal["renames"])
    for temp, name in renames:
        try:
            os.rename(at(out_dir, temp), at(out_dir, name))
        except FileNotFoundError:
            pass  # renamed before the kill
    touched = [name for _, name in renames] + [name for name, _ in journal["unlinks"]]
    for directory in sorted({os.path.dirname(at(out_dir, name)) for name in touched}):
        fsync_dir(directory)
    _remove_empty_dirs(out_dir, journal["prune"])
    _finish(out_dir, JOURNAL, PENDING)


def rename_order(renames: list) -> list:
    """The tree's files, then the manifest, then fleet.lock (an absolute name):
    until the tree is done, the manifest on disk is the one that owned it."""
    return sorted(renames, key=lambda pair: (pair[1] == MANIFEST, pair[1][:1] == "/"))


def _unlink_if(path: Path, expected: str) -> None:
    """Remove the file only if it still holds the bytes planned for removal."""
    try:
        if not path.is_symlink() and sha256(path.read_bytes()) == expected:
            path.unlink()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        pass


def clean_pending(out_dir: Path, temps: list[str], dirs: list[str]) -> None:
    """Not committed: remove the temps and new directories a pending list names
    (this run's, or one bookkeeping.read_pending has judged fleetc's)."""
    for name in [*temps, JOURNAL_TEMP, PENDING_TEMP]:
        try:
            os.unlink(out_dir / name)
        except OSError as problem:
            if problem.errno not in _NEVER_CREATED:
                raise  # the pending list stays: a later run tries again
    _remove_empty_dirs(out_dir, list(reversed(dirs)))
    _finish(out_dir, PENDING)


def _remove_empty_dirs(out_dir: Path, names: list[str]) -> None:
    for name in names:
        try:
            os.rmdir(out_dir / name)
        except OSError:
            pass  # not empty (a foreign file, or still used), or already gone


def _finish(out_dir: Path, *names: str) -> None:
    for name in names:
        (out_dir / name).unlink(missing_ok=True)
    fsync_dir(out_dir)


def write_new(path: Path | str, data: bytes) -> None:
    """Create `path` afresh (never through a link left there) holding `data`:
    whatever is there (a temp of a killed run, a link) is removed first."""
    try:
        fd = os.open(path, _CREATE, 0o666)
    except FileExistsError:
        os.unlink(path)
        fd = os.open(path, _CREATE, 0o666)
    try:  # no io file: its open costs an fstat, an ioctl and an lseek a file
        left = memoryview(data)
        while left:
            left = left[os.write(fd, left) :]
    finally:
        os.close(fd)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW


def _write_json(path: Path, document: dict) -> None:
    write_new(path, json_lines(document).encode())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def json_lines(document: dict[str, list]) -> str:
    """The journal or pending list as JSON, an entry a line, each by json's C
    encoder (`indent` encodes in Python: 20 ms for the two at 10,000 VMs)."""
    dumps = json.dumps
    lists = [
        f"{dumps(key)}: [" + ",".join(f"\n  {dumps(item)}" for item in items) + "\n]"
        for key, items in document.items()
    ]
    return "{\n" + ",\n".join(lists) + "\n}\n"


def fsync_dir(directory: Path | str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_filesystems(directories: set[str]) -> None:
    """One syncfs per file system holding `directories` (not one fsync per file)."""
    seen = set()
    for directory in sorted(directories):
        device = os.stat(directory).st_dev
        if device not in seen:
            seen.add(device)
            _syncfs(directory)


def _syncfs(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if _libc_syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _libc_syncfs(fd: int) -> int:
    # Imported here: only a write needs it, and `fleetc check` (which imports
    # this module for the writer's names) would load it for nothing (~1 ms).
    # libc is the process's own symbols (CDLL(None)): ctypes.util.find_library
    # would run `ldconfig -p` on every write.
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).syncfs(fd)
    except (OSError, AttributeError, TypeError):
        return -1  # no syncfs here (not Linux): os.sync instead
