"""What the module check needs to know from disk and git, looked up by the CLI.

Kept apart from staging.py (which copies a fleet for `fleetc build`): every
command asks these questions; only `build` stages.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.placement import DiskView


def repo_root(start: Path) -> Path | None:
    """The git work tree holding `start` (a `.git` directory or file), if any."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def git(repo: Path, *args: str) -> bytes | None:
    """git's stdout, or None when git is missing or fails."""
    import subprocess  # a check that starts no git process never loads it

    command = ["git", "-C", str(repo), "--literal-pathspecs", *args]
    try:
        done = subprocess.run(command, capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def importable(path: Path) -> bool:
    """A module Nix can import: a file, or a directory with default.nix."""
    return path.is_file() or (path / "default.nix").is_file()


def disk_view(paths: list[str], repo: Path | None) -> DiskView:
    """The facts the module check reads, for the fleet's module paths."""
    present = frozenset(p for p in paths if importable(Path(p)))
    tracked = None if repo is None else tracked_among(paths, repo)
    return DiskView(present, tracked, links_of(present))


def links_of(paths: frozenset[str]) -> frozenset[tuple[str, str]]:
    """Where each path really is, for those reached through a symlink (say
    `modules/hw.nix -> /etc/nixos/hardware-configuration.nix`)."""
    real = {path: os.path.realpath(path) for path in paths}
    return frozenset((path, target) for path, target in real.items() if target != path)


def inside(repo: Path, path: str) -> bool:
    """Judged on the normalised path (`../../x` leaves the repository)."""
    try:
        Path(os.path.normpath(path)).relative_to(repo)
    except ValueError:
        return False
    return True


def tracked_among(paths: list[str], repo: Path) -> frozenset[str] | None:
    """Those of `paths` that git tracks (a directory: its default.nix); None
    when git cannot tell, so that the check judges nothing it cannot know."""
    candidates = [p for p in paths if inside(repo, p)]
    if not candidates:
        return frozenset()
    listed = git(repo, "ls-files", "-z", "--full-name", "--", *candidates)
    if listed is None:
        return None
    names = {os.fsdecode(name) for name in listed.split(b"\0") if name}
    return frozenset(p for p in candidates if tracked_name(p, repo, names))


def tracked_name(path: str, repo: Path, names: set[str]) -> bool:
    relative = Path(path).relative_to(repo).as_posix()
    return relative in names or f"{relative}/default.nix" in names
