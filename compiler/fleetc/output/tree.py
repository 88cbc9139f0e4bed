"""The output directory seen through lstat: links are refused, never followed.

Every file the writer plans is looked at here, 11,003 of them at 10,000 VMs,
so each look is a few system calls on a plain string path: lstat, open
(O_NOFOLLOW, O_NONBLOCK), fstat, then reads a piece at a time into the hash.
No pathlib object is made per file (that was a third of a no-op write).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .transaction import WriteRefused

SYMLINK_HELP = (
    "fleetc never writes through a symbolic link inside its tree or at fleet.lock; "
    "replace the link by a real directory or file (the output directory itself "
    "may be a link)"
)
# Texts are hashed a piece at a time: flake.nix alone is 6 MB at 10,000 VMs.
DIGEST_PIECE = 1 << 20
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK


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


def fd_hash(fd: int) -> str:
    """`file_hash` of an open descriptor, without a file object around it."""
    hashed = hashlib.sha256()
    for piece in iter(lambda: os.read(fd, DIGEST_PIECE), b""):
        hashed.update(piece)
    return hashed.hexdigest()


class Tree:
    """The output directory seen through lstat: links are refused, never followed."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root = os.fspath(out_dir)
        self.kinds: dict[str, str] = {}
        self.new_dirs: set[str] = set()

    def read(self, name: str, wanted: bool, limit: int = -1) -> bytes | None:
        """The file's bytes, None when absent (or, for a removal, no longer a
        file); only its first `limit` + 1 when `limit` is given (a caller that
        finds more refuses the file)."""
        fd = self._open(name, wanted)
        if fd is None:
            return None
        with open(fd, "rb") as file:
            return file.read(limit + 1 if limit >= 0 else -1)

    def hash(self, name: str, wanted: bool) -> str | None:
        """`read`'s bytes hashed (sha256), read a piece at a time, not held whole."""
        fd = self._open(name, wanted)
        if fd is None:
            return None
        try:
            return fd_hash(fd)
        finally:
            os.close(fd)

    def _open(self, name: str, wanted: bool) -> int | None:
        """A descriptor of the regular file there, None when there is none."""
        path = self._file(name, wanted)
        return None if path is None else _opened(path)

    def _file(self, name: str, wanted: bool) -> str | None:
        """The path of a regular file there, None when there is none to read."""
        if not self._parents_ready(name, wanted):
            return None
        path = f"{self.root}/{name}"
        found = kind(path)
        if found == "file":
            return path
        if found == "link":
            raise symlink_refused(self.out_dir / name)
        if found == "missing" or not wanted:
            return None
        raise not_a_file(self.out_dir / name)

    def _parents_ready(self, name: str, wanted: bool) -> bool:
        """True when every parent is a real directory; notes the ones to create."""
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            parent = "/".join(parts[:depth])
            kind = self._kind_of(parent)
            if kind == "dir":
                continue
            if kind == "link":
                raise symlink_refused(self.out_dir / parent)
            if kind == "missing" and wanted:
                self.new_dirs.update(
                    "/".join(parts[:d]) for d in range(depth, len(parts) + 1)
                )
            if wanted and kind != "missing":
                raise not_a_file(self.out_dir / parent, "a directory")
            return False
        return True

    def _kind_of(self, name: str) -> str:
        found = self.kinds.get(name)
        if found is None:
            found = self.kinds[name] = kind(f"{self.root}/{name}")
        return found


def _opened(path: str) -> int:
    """The file's descriptor; a link swapped in since the lstat is refused
    (O_NOFOLLOW), and so is a FIFO or device (the open does not wait on a
    FIFO, O_NONBLOCK; fstat tells)."""
    fd = os.open(path, _OPEN_FLAGS)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise not_a_file(Path(path))
    return fd


def kind(path: str | Path) -> str:
    """missing, link, dir, file or other, by lstat."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "link"
    return "dir" if stat.S_ISDIR(mode) else "other"


def symlink_refused(path: Path) -> WriteRefused:
    return WriteRefused(f"{path} is a symbolic link", SYMLINK_HELP, "F040")


def not_a_file(path: Path, expected: str = "a file") -> WriteRefused:
    return WriteRefused(
        f"{path} exists and was not written by fleetc (fleetc needs {expected} there)",
        "move it away (or choose another output directory with --out)",
    )
