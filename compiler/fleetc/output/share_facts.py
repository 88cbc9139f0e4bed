"""What the repository-share check needs to know from disk and git: shares
whose source is a directory of the repository (`from_repo = true`), which Nix
copies into the world-readable store. Looked up by the CLI, like disk_facts.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..core.placement import ShareFacts
from .disk_facts import git, inside

# Enough to name one; a tree of thousands of private files needs no more.
PRIVATE_NAMED = 1


def share_facts(paths: list[str], repo: Path | None) -> ShareFacts:
    directories = frozenset(p for p in paths if Path(p).is_dir())
    real = {p: os.path.realpath(p) for p in directories}
    private = {p: found for p in directories if (found := private_at(Path(p), repo))}
    return ShareFacts(
        directories,
        frozenset((p, r) for p, r in real.items() if r != p),
        ignored_among(sorted(directories), repo),
        None if repo is None else holding_tracked(sorted(directories), repo),
        frozenset(private.items()),
    )


def private_at(path: Path, repo: Path | None) -> str | None:
    """A directory others may not enter on the way from the repository down
    to `path` (the copy Nix gets leaves out what is below it), else the first
    private entry inside. The repository's own root is the whole flake's
    matter, not this share's (`fleetc build` reports it, F050)."""
    if repo is None:
        return private_inside(path)
    above = [d for d in reversed(path.parents) if inside(repo, str(d)) and d != repo]
    closed = [d for d in above if not readable_dir(d)]
    return closed[0].as_posix() if closed else private_inside(path)


def private_inside(root: Path) -> str | None:
    """The first entry under `root` (itself included) that others may not read:
    a file without o+r, a directory without o+r or o+x."""
    for directory, dirs, files in os.walk(root):
        at = Path(directory)
        if not readable_dir(at):
            return at.as_posix()
        for name in sorted(files):
            if not readable_file(at / name):
                return (at / name).as_posix()
        dirs.sort()
    return None


def readable_dir(path: Path) -> bool:
    mode = path.stat().st_mode
    return bool(mode & stat.S_IROTH and mode & stat.S_IXOTH)


def readable_file(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & stat.S_IROTH)
    except OSError:  # a dangling link: nothing to copy
        return True


def ignored_among(paths: list[str], repo: Path | None) -> frozenset[tuple[str, str]]:
    """Untracked entries git ignores, in or at each path (a `path:` flake, or
    a copy of the work tree, would carry them into the store)."""
    candidates = [p for p in paths if repo is not None and inside(repo, p)]
    if not candidates:
        return frozenset()
    options = ("--others", "--ignored", "--exclude-standard", "--directory")
    listed = git(repo, "ls-files", "-z", "--full-name", *options, "--", *candidates)
    names = sorted(os.fsdecode(n) for n in (listed or b"").split(b"\0") if n)
    found = {}
    for path in candidates:
        relative = Path(path).relative_to(repo).as_posix()
        under = [n for n in names if _within(n.rstrip("/"), relative)]
        if under:
            found[path] = under[0]
    return frozenset(found.items())


def _within(name: str, relative: str) -> bool:
    """`name` is the directory `relative`, inside it, or a directory holding it."""
    return (
        name == relative
        or name.startswith(relative + "/")
        or relative.startswith(name + "/")
    )


def holding_tracked(paths: list[str], repo: Path) -> frozenset[str] | None:
    candidates = [p for p in paths if inside(repo, p)]
    if not candidates:
        return frozenset()
    listed = git(repo, "ls-files", "-z", "--full-name", "--", *candidates)
    if listed is None:
        return None
    names = [os.fsdecode(name) for name in listed.split(b"\0") if name]
    return frozenset(p for p in candidates if _holds(p, repo, names))


def _holds(path: str, repo: Path, names: list[str]) -> bool:
    relative = Path(path).relative_to(repo).as_posix()
    return any(name.startswith(relative + "/") for name in names)
