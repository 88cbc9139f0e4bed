"""Which files `fleetc build` may give Nix: only what any local user could read.

Everything staged ends up in the Nix store, world-readable (files 0444). So a
file is staged only when others could read it where it is: the file readable
by others, and every directory on its path, from the root of the copy (the
repository, or the fleet's directory outside git) down, readable and
searchable by others (r and x: a directory others can enter but not list is
not counted as readable). A file left out is named with a warning (F050). A
module file the fleet names (or a file below a module directory it names) is
given to Nix whatever the modes: the fleet asks for it.

Links are never followed while copying, and a link staged as a link never
leads out of the copy:

- a path below a directory that is a symbolic link in the work tree (git
  tracks `modules/a.nix`, the work tree has `modules -> /elsewhere`) is left
  out: git's file is not there, and what is there is not the repository's;
- a staged link that is absolute, or whose target, resolved in the copy,
  lies outside it (`../` past the root, directly or through other links), is
  removed from the copy.

Both are named with a warning (F051). Names are shown with control
characters escaped: a file name is repository content like any other.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from ..core.diagnostics import Diagnostic, warning
from ..core.source import display_path

# A directory others can list and enter; a file others can read.
OTHERS_DIRECTORY = stat.S_IROTH | stat.S_IXOTH
SKIP = "skip"  # tracked but gone from the work tree, or not a file: nothing to say
STORE_HELP = (
    "the Nix store is world-readable; make the file and its directories"
    " readable by others (chmod o+r, o+rx), or keep it out of the repository"
)
LINK_HELP = (
    "Nix gets a copy of the repository, which must not reach outside it;"
    " replace the link by the files themselves, or a relative link inside"
)


class Gate:
    """Decides, name by name below `root`, whether a file may be copied."""

    def __init__(self, root: Path, referenced: frozenset[str]) -> None:
        self.root = root
        self.referenced = referenced
        self.directories: dict[str, str] = {}  # relative name -> its state

    def check(self, name: str) -> int | str | Diagnostic:
        """The file's mode (it may be copied), SKIP, or why it is left out."""
        asked = self.asked_for(name)
        parts = name.split("/")
        for depth in range(len(parts)):
            directory = "/".join(parts[:depth])
            state = self.state(directory)
            if state == SKIP:
                return SKIP
            if state == "link":
                return linked_directory(self.root, name, directory)
            if state == "private" and not asked:
                return private_directory(self.root, name, directory)
        return self.file_mode(name, asked)

    def file_mode(self, name: str, asked: bool) -> int | str | Diagnostic:
        try:
            mode = (self.root / name).lstat().st_mode
        except OSError:  # tracked, but deleted in the work tree
            return SKIP
        if stat.S_ISLNK(mode):  # copied as a link, judged in the copy
            return mode
        if not stat.S_ISREG(mode):  # a FIFO, socket or device: never read
            return SKIP
        if not mode & stat.S_IROTH and not asked:
            return private_file(self.root, name)
        return mode

    def state(self, directory: str) -> str:
        if directory not in self.directories:
            path = self.root / directory if directory else self.root
            self.directories[directory] = directory_state(path)
        return self.directories[directory]

    def asked_for(self, name: str) -> bool:
        """Whether the fleet names this file as a module, or a directory above it."""
        path = (self.root / name).as_posix()
        return any(path == r or path.startswith(r + "/") for r in self.referenced)


def directory_state(path: Path) -> str:
    """The directory's state: "ok", "private" (others cannot list or enter
    it), "link", or SKIP (gone, or not a directory)."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return SKIP
    if stat.S_ISLNK(mode):
        return "link"
    if not stat.S_ISDIR(mode):
        return SKIP
    return "ok" if mode & OTHERS_DIRECTORY == OTHERS_DIRECTORY else "private"


def private_file(root: Path, name: str) -> Diagnostic:
    message = f"`{shown(name)}` is not given to Nix: only its owner can read it"
    return warning("F050", message, None, file=place(root, name), help=STORE_HELP)


def private_directory(root: Path, name: str, directory: str) -> Diagnostic:
    message = (
        f"`{shown(name)}` is not given to Nix: only its owner can read the"
        f" directory `{shown(directory or '.')}/` above it"
    )
    return warning("F050", message, None, file=place(root, name), help=STORE_HELP)


def linked_directory(root: Path, name: str, directory: str) -> Diagnostic:
    target = os.readlink(root / directory)
    message = (
        f"`{shown(name)}` is not given to Nix: `{shown(directory)}` on its path"
        f" is a symbolic link (to `{shown(target)}`), never followed"
    )
    return warning("F051", message, None, file=place(root, name), help=LINK_HELP)


def cut_leaving_links(root: Path, tree: Path, links: list[str]) -> list[Diagnostic]:
    """Remove from the copy every link that resolves outside it; one removal can
    send another link elsewhere, so look again until none leaves."""
    inside = os.path.realpath(tree)
    said: list[Diagnostic] = []
    while True:
        leaving = [name for name in links if leaves(tree / name, inside)]
        if not leaving:
            return said
        for name in leaving:
            said.append(leaving_link(root, tree, name))
            (tree / name).unlink()


def leaves(path: Path, inside: str) -> bool:
    """A link still in the copy that is absolute (in the store it would name
    the scratch directory, or the checkout, not the copy) or whose target,
    resolved in the copy, is outside it."""
    if not path.is_symlink():
        return False
    absolute = os.readlink(path).startswith("/")
    return absolute or not within(os.path.realpath(path), inside)


def within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def leaving_link(root: Path, tree: Path, name: str) -> Diagnostic:
    target = os.readlink(tree / name)
    message = (
        f"the link `{shown(name)}` -> `{shown(target)}` is not given to Nix:"
        " it leads out of the copy Nix reads"
    )
    return warning("F051", message, None, file=place(root, name), help=LINK_HELP)


def shown(name: str) -> str:
    """A name as a message may show it: control characters escaped, UTF-8."""
    return json.dumps(display_path(name), ensure_ascii=False)[1:-1]


def place(root: Path, name: str) -> str:
    """The file a diagnostic is about: below the current directory, relative to
    it (as the fleet file is shown), else absolute."""
    path = root / name
    try:
        return shown(path.relative_to(Path.cwd()).as_posix())
    except ValueError:
        return shown(path.as_posix())
