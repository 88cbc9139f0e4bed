"""Whether git tracks a path: what fleetc asks before it warns about, or
removes, a file it would have made itself (bookkeeping.py, exclusive.py)."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.diagnostics import Diagnostic, warning
from ..core.source import display_path
from .disk_facts import git, repo_root
from .transaction import JOURNAL, PENDING

TRACKED_HELP = (
    "fleetc writes its journal and pending list only while a run is under way, "
    "and removes them: `git rm --cached` the file (and add it to .gitignore); "
    "a committed one is somebody's input, not a run of yours to finish"
)


def tracked_warnings(out_dir: Path) -> list[Diagnostic]:
    """F049 for a journal or pending list git tracks (never meant to be committed)."""
    present = [out_dir / n for n in (JOURNAL, PENDING) if os.path.lexists(out_dir / n)]
    known = tracked(present) or set()
    return [_committed(path) for path in present if path in known]


def _committed(path: Path) -> Diagnostic:
    file = display_path(os.path.relpath(path))
    message = f"git tracks {file}: fleetc's own file, never meant to be committed"
    return warning("F049", message, None, file=file, help=TRACKED_HELP)


def tracked(paths: list[Path]) -> set[Path] | None:
    """Those of `paths` (in one directory) that git tracks, a
    directory when anything below it is; None when git cannot tell. Outside
    a repository git tracks nothing."""
    if not paths:
        return set()
    absolute = {path: Path(os.path.abspath(path)) for path in paths}
    repo = repo_root(absolute[paths[0]].parent)
    if repo is None:
        return set()
    listed = git(
        repo, "ls-files", "-z", "--full-name", "--", *map(str, absolute.values())
    )
    if listed is None:
        return None
    names = [os.fsdecode(name) for name in listed.split(b"\0") if name]
    return {path for path in paths if _listed(absolute[path], repo, names)}


def _listed(path: Path, repo: Path, names: list[str]) -> bool:
    try:
        relative = path.relative_to(repo).as_posix()
    except ValueError:
        return True  # not below the repository as named: cannot tell, so kept
    return any(name == relative or name.startswith(relative + "/") for name in names)
