"""Reading a file of the repository: a regular file inside it, at most READ_LIMIT.

Everything in a repository is untrusted (a pull request can commit any of it).
A fleet file, its twin or fleet.lock may be a link to a secret outside the
repository, a FIFO (opening it waits for a writer for ever), a device
(/dev/zero never ends) or a directory. `read_bytes` refuses each before a byte
is read: a link is judged by the real path it leads to, the open neither
follows a link swapped in since (O_NOFOLLOW) nor waits (O_NONBLOCK), fstat
must find the very regular file just judged, and no more than the limit is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# 64 MiB: fleet.lock is ~190 bytes a VM (1.9 MB at 10,000 VMs, docs/speed.md),
# so the 100,000-VM bench reads ~19 MB; no fleet file comes near the limit.
READ_LIMIT = 64 * 2**20
LIMIT_SHOWN = "64 MiB"
_OPEN_FLAGS = (
    os.O_RDONLY
    | os.O_NOFOLLOW
    | os.O_NONBLOCK
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class Refused(Exception):
    """A file fleetc will not read: `code` is its diagnostic, `reason` why."""

    def __init__(self, code: str, reason: str, help: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.help = help


def repository_of(named: Path) -> Path:
    """Where the files beside `named` must be: its git work tree, else its folder.

    Found from the folder the path names, not from where a link at `named`
    leads: a committed link is judged, never trusted to say where it belongs.
    """
    from ..output.disk_facts import repo_root  # not loaded for `--help`

    folder = Path(os.path.abspath(named)).parent
    return Path(os.path.realpath(repo_root(folder) or folder))


def read_bytes(path: Path, root: Path | None, limit: int = READ_LIMIT) -> bytes:
    """The file's bytes. Raises Refused (outside `root`, not a regular file,
    over `limit`) or OSError (missing, unreadable, a link loop)."""
    real = os.path.realpath(path)
    if root is not None and not Path(real).is_relative_to(root):
        raise outside(root)
    judged = os.stat(real)
    refuse_unless_regular(judged.st_mode)
    fd = os.open(real, _OPEN_FLAGS)
    try:
        opened = os.fstat(fd)
        refuse_unless_regular(opened.st_mode)
        if (opened.st_dev, opened.st_ino) != (judged.st_dev, judged.st_ino):
            raise Refused("F011", "it changed while fleetc read it", RETRY_HELP)
        return bounded(fd, limit)
    finally:
        os.close(fd)


def refuse_unless_regular(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise Refused("F011", f"it is {kind}, not a regular file", REGULAR_HELP)


def bounded(fd: int, limit: int) -> bytes:
    """At most `limit` bytes; Refused when the file holds more."""
    pieces, size = [], 0
    while size <= limit:
        piece = os.read(fd, min(1 << 20, limit + 1 - size))
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        size += len(piece)
    raise Refused("F012", f"it is larger than {LIMIT_SHOWN}", LIMIT_HELP)


def outside(root: Path) -> Refused:
    reason = "it is reached through a symbolic link leading outside the repository"
    help = (
        f"fleetc reads only files inside the repository ({root}); replace the"
        " link with the file itself"
    )
    return Refused("F010", reason, help)


REGULAR_HELP = "fleetc reads only regular files: put the file itself there"
RETRY_HELP = "something replaced the file during the run: run fleetc again"
LIMIT_HELP = (
    f"fleetc reads at most {LIMIT_SHOWN} of a fleet file or fleet.lock;"
    " is this the file you meant?"
)
