"""The output directory seen through lstat: links are refused, never followed.

Every file the writer plans is looked at here, 11,003 of them at 10,000 VMs,
so each look is a few system calls on a plain string path: lstat, open
(O_NOFOLLOW, O_NONBLOCK), fstat, then reads no larger than the file (into
the hash a piece at a time).
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


def fd_hash(fd: int, size: int) -> str:
    """`file_hash` of an open descriptor of `size` bytes (fstat's), without a
    file object around it; no read asks for more than is left (+1, to find
    the end): a small file is not read into a buffer of a whole piece."""
    hashed, got = hashlib.sha256(), 0
    while piece := os.read(fd, min(_left(size, got), DIGEST_PIECE)):
        hashed.update(piece)
        got += len(piece)
    return hashed.hexdigest()


def fd_read(fd: int, size: int, most: int | None) -> bytes:
    """An open file's bytes to its end, or its first `most` (None: all).

    Asked for in one read of the size fstat gave (+1, to find the end), not
    through an io file: its read(n) makes a buffer of n bytes first (a 64 MiB
    mapping, remapped and unmapped, per file of a 10,000-VM tree) and each
    open costs an ioctl, an lseek and a second fstat. A file that grew since
    the fstat is read on, a piece at a time, to its end or `most`."""
    pieces, got = [], 0
    while most is None or got < most:
        ask = _left(size, got)
        piece = os.read(fd, ask if most is None else min(ask, most - got))
        if not piece:
            break
        pieces.append(piece)
        got += len(piece)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def _left(size: int, got: int) -> int:
    """What to ask for next: the rest of `size` and one byte more (a read of
    nothing is the end); past `size` (the file grew), a piece."""
    return size - got + 1 if got <= size else DIGEST_PIECE


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
        path = self._file(name, wanted)
        if path is None:
            return None
        fd, size = _opened(path)
        try:
            return fd_read(fd, size, limit + 1 if limit >= 0 else None)
        finally:
            os.close(fd)

    def hash(self, name: str, wanted: bool) -> str | None:
        """`read`'s bytes hashed (sha256), read a piece at a time, not held whole."""
        path = self._file(name, wanted)
        if path is None:
            return None
        fd, size = _opened(path)
        try:
            return fd_hash(fd, size)
        finally:
            os.close(fd)

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


def _opened(path: str) -> tuple[int, int]:
    """The file's descriptor and size; a link swapped in since the lstat is
    refused (O_NOFOLLOW), and so is a FIFO or device (the open does not wait
    on a FIFO, O_NONBLOCK; fstat tells)."""
    fd = os.open(path, _OPEN_FLAGS)
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        os.close(fd)
        raise not_a_file(Path(path))
    return fd, status.st_size


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
