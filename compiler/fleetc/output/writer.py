"""Writing the generated tree: exactly the files fleetc owns, each replaced atomically.

The tree carries a manifest (`.fleetc-manifest.json`) naming every file fleetc
wrote, with its hash. fleetc owns those files and nothing else, wherever the
output directory is (its own folder, the repository root, a symlink to
elsewhere): it looks only at the paths it will write and the paths the old
manifest names, never scans or copies the directory, and never moves, removes
or follows anything else (foreign files, empty directories, `.git`, links).

A run first plans, refusing before anything is touched: a generated file that
would replace a file fleetc does not own, or one edited by hand since it was
written (unless forced), or a symbolic link at or above an owned path. Then the
files that differ, the manifest and fleet.lock are written as one transaction
(`journal.py`): a kill at any instant leaves each file old or new and the next
run completes the change. A run that changes nothing writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import transaction as journal
from .exclusive import exclusive
from .manifest import Manifest, checked_manifest
from .owner import Owner, refuse_another_fleet
from .transaction import MANIFEST, READ_LIMIT, Change, WriteRefused

SYMLINK_HELP = (
    "fleetc never writes through a symbolic link inside its tree or at fleet.lock; "
    "replace the link by a real directory or file (the output directory itself "
    "may be a link)"
)


@dataclass(frozen=True)
class WriteReport:
    written: int
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    lock_changed: bool = False


@dataclass(frozen=True)
class LockFile:
    """fleet.lock, written in the same transaction as the tree."""

    path: Path
    text: str


# Texts are hashed a piece at a time: flake.nix alone is 6 MB at 10,000 VMs.
DIGEST_PIECE = 1 << 20


def digest(text: str) -> str:
    """sha256 of the text's UTF-8 bytes, never holding more than a piece of them."""
    hashed = hashlib.sha256()
    for start in range(0, len(text), DIGEST_PIECE):
        hashed.update(text[start : start + DIGEST_PIECE].encode())
    return hashed.hexdigest()


def file_hash(handle: BinaryIO) -> str:
    """`digest` of an open file's bytes, read a piece at a time."""
    hashed = hashlib.sha256()
    for piece in iter(lambda: handle.read(DIGEST_PIECE), b""):
        hashed.update(piece)
    return hashed.hexdigest()


def manifest_text(files: dict[str, str], owner: Owner | None = None) -> str:
    digests = {name: digest(text) for name, text in sorted(files.items())}
    return _manifest(digests, owner)


def _manifest(owned: dict[str, str], owner: Owner | None) -> str:
    """The manifest naming the fleet whose tree it is (owner.py) and each owned
    file (sorted) with its hash."""
    fleet = {} if owner is None else {"fleet": list(owner.names)}
    document = {"generator": "fleetc", **fleet, "files": owned}
    return json.dumps(document, indent=2) + "\n"


def read_manifest(out_dir: Path) -> dict[str, str]:
    """Owned file -> hash at the time fleetc wrote it; empty when there is none."""
    if not out_dir.is_dir():
        return {}
    # Through Tree: a manifest that is a link to another file is refused (F040).
    data = Tree(out_dir).read(MANIFEST, wanted=False, limit=READ_LIMIT)
    return parse_manifest(out_dir, data).files


def parse_manifest(out_dir: Path, data: bytes | None) -> Manifest:
    """The manifest's entries, each validated (manifest.checked_manifest):
    a committed file names nothing outside the tree (BadManifest otherwise)."""
    return Manifest({}) if data is None else checked_manifest(out_dir, data)


def write_tree(
    out_dir: Path,
    files: dict[str, str],
    force: bool = False,
    lock: LockFile | None = None,
    owner: Owner | None = None,
) -> WriteReport:
    """Make the owned files (and fleet.lock) exactly `files`, touching nothing
    else; `owner`: the fleet writing them (None: no owner is named or checked)."""
    with exclusive(out_dir, lock.path if lock else None):
        change, report = plan(out_dir, files, force, lock, owner)
        if change:
            journal.commit(out_dir, change)
    return report


def plan(
    out_dir: Path,
    files: dict[str, str],
    force: bool,
    lock: LockFile | None,
    owner: Owner | None = None,
) -> tuple[Change, WriteReport]:
    """What must change; refuses (WriteRefused) before anything is touched."""
    tree = Tree(out_dir)
    old_manifest = tree.read(MANIFEST, wanted=True, limit=READ_LIMIT)
    manifest = parse_manifest(out_dir, old_manifest)
    if not force:
        refuse_another_fleet(out_dir, manifest.fleet, owner)
    owned, change = manifest.files, Change()
    digests = {name: digest(text) for name, text in sorted(files.items())}
    for name, text in sorted(files.items()):
        _plan_file(tree, owned, name, text, digests[name], force, change)
    for name in sorted(owned.keys() - files.keys() - {MANIFEST}):
        _plan_removal(tree, owned, name, force, change)
    new_manifest = _manifest(digests, owner)
    if old_manifest != new_manifest.encode():
        change.writes[MANIFEST] = new_manifest
    lock_changed = lock is not None and _plan_lock(lock, change)
    change.new_dirs = sorted(tree.new_dirs, key=lambda d: (d.count("/"), d))
    change.prune = _prune_order(change.unlinks)
    changed = tuple(sorted(change.writes.keys() & files.keys()))
    removed = tuple(sorted(change.unlinks))
    return change, WriteReport(len(files), changed, removed, lock_changed)


def _plan_file(tree, owned, name: str, text: str, new_hash: str, force, change):
    """A file on disk is compared with `text` by hash, which the hand-edit
    check takes anyway, each read a piece at a time: neither is ever held
    whole as bytes (flake.nix is 6 MB at 10,000 VMs: it was a no-op's peak)."""
    current_hash = tree.hash(name, wanted=True)
    if current_hash is None:
        change.writes[name] = text
        return
    if name not in owned:
        raise WriteRefused(
            f"{tree.out_dir / name} exists and was not written by fleetc",
            "move it away (or choose another output directory with --out)",
        )
    _refuse_hand_edit(tree.out_dir / name, current_hash, owned[name], force)
    if current_hash != new_hash:
        change.writes[name] = text


def _plan_removal(tree, owned, name: str, force: bool, change) -> None:
    current_hash = tree.hash(name, wanted=False)
    if current_hash is not None:
        _refuse_hand_edit(tree.out_dir / name, current_hash, owned[name], force)
        change.unlinks[name] = current_hash


def _refuse_hand_edit(path: Path, current_hash: str, expected: str, force) -> None:
    if not force and current_hash != expected:
        raise WriteRefused(
            f"{path} was edited by hand since fleetc wrote it",
            "move the change into the fleet file or a module, "
            "or pass --force to discard it",
        )


def _plan_lock(lock: LockFile, change: Change) -> bool:
    path = Path(os.path.abspath(lock.path))
    tree = Tree(path.parent)
    current = tree.hash(path.name, wanted=True)
    if current == digest(lock.text):
        return False
    change.writes[str(path)] = lock.text
    return True


def _prune_order(removed: dict[str, str]) -> list[str]:
    """Directories a removal may leave empty, deepest first (rmdir skips the rest)."""
    parents = set()
    for name in removed:
        parts = name.split("/")[:-1]
        parents.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return sorted(parents, key=lambda d: (-d.count("/"), d))


class Tree:
    """The output directory seen through lstat: links are refused, never followed."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.kinds: dict[str, str] = {}
        self.new_dirs: set[str] = set()

    def read(self, name: str, wanted: bool, limit: int = -1) -> bytes | None:
        """The file's bytes, None when absent (or, for a removal, no longer a
        file); only its first `limit` + 1 when `limit` is given (a caller that
        finds more refuses the file)."""
        path = self._file(name, wanted)
        if path is None:
            return None
        with self._opened(path) as file:
            return file.read(limit + 1 if limit >= 0 else -1)

    def hash(self, name: str, wanted: bool) -> str | None:
        """`read`'s bytes hashed (sha256), read a piece at a time, not held whole."""
        path = self._file(name, wanted)
        if path is None:
            return None
        with self._opened(path) as file:
            return file_hash(file)

    def _file(self, name: str, wanted: bool) -> Path | None:
        """The path of a regular file there, None when there is none to read."""
        if not self._parents_ready(name, wanted):
            return None
        kind = _kind(self.out_dir / name)
        if kind == "link":
            raise _symlink_refused(self.out_dir / name)
        if kind == "missing" or (kind != "file" and not wanted):
            return None
        if kind != "file":
            raise _not_a_file(self.out_dir / name)
        return self.out_dir / name

    def _opened(self, path: Path) -> BinaryIO:
        """The file; a link swapped in since the lstat is refused, and so is a
        FIFO or device (the open does not wait on a FIFO; fstat tells)."""
        file = open(path, "rb", opener=_no_follow)
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            file.close()
            raise _not_a_file(path)
        return file

    def _parents_ready(self, name: str, wanted: bool) -> bool:
        """True when every parent is a real directory; notes the ones to create."""
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            parent = "/".join(parts[:depth])
            kind = self._kind_of(parent)
            if kind == "link":
                raise _symlink_refused(self.out_dir / parent)
            if kind == "missing" and wanted:
                self.new_dirs.update(
                    "/".join(parts[:d]) for d in range(depth, len(parts) + 1)
                )
            if kind != "dir":
                if wanted and kind != "missing":
                    raise _not_a_file(self.out_dir / parent, "a directory")
                return False
        return True

    def _kind_of(self, name: str) -> str:
        if name not in self.kinds:
            self.kinds[name] = _kind(self.out_dir / name)
        return self.kinds[name]


def _no_follow(path: str, flags: int) -> int:
    """A link swapped in after the lstat above is refused, not followed; a
    FIFO swapped in does not block the open (fstat then refuses it)."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)


def _kind(path: Path) -> str:
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else "other"


def _symlink_refused(path: Path) -> WriteRefused:
    return WriteRefused(f"{path} is a symbolic link", SYMLINK_HELP, "F040")


def _not_a_file(path: Path, expected: str = "a file") -> WriteRefused:
    return WriteRefused(
        f"{path} exists and was not written by fleetc (fleetc needs {expected} there)",
        "move it away (or choose another output directory with --out)",
    )


def write_file_atomically(path: Path, text: str) -> None:
    """Replace one file in one step (convert's output): a crash leaves old or new."""
    staging = path.with_name(f".{path.name}.fleetc-{os.getpid()}")
    try:
        journal.write_new(staging, text.encode())
        fd = os.open(staging, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
