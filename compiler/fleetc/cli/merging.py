"""A git merge in progress, as the commands that compile a fleet see it.

When git reports fleet.lock unmerged (`git ls-files -u`), the three versions
git keeps in its index (stage 1, the merge base; 2, this branch; 3, the branch
merged in) are read from git, never from the conflict markers in the work
tree, and handed to the core as LockSides (lock/merge.py merges them). The
generated tree's unmerged files are found the same way (output/tree_merge.py).
A fleet file git reports unmerged that still holds conflict markers is the
user's to merge: an error (F823) at the first marker.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.diagnostics import Diagnostic, error
from ..core.source import Source, Span, display_path
from ..lock.seal import sealed_by
from ..output.disk_facts import repo_root
from ..output.git_index import BASE, OURS, THEIRS, GitUnreadable, Unmerged, blob
from ..output.git_index import operation_in_progress
from ..output.git_index import unmerged as unmerged_in

if TYPE_CHECKING:  # loaded only when fleet.lock is unmerged
    from ..lock.merge_fleet import LockSides

MARKER = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.MULTILINE)


def git_merge(fleet_file: Path, lock: Source | None) -> Unmerged | None:
    """What git reports unmerged in the fleet's repository; None outside git
    or when nothing is. git is asked only when it is in a merge (or a
    cherry-pick, revert, rebase) or the lock holds conflict markers (a
    `git stash pop`): a run outside a merge starts no git process for it."""
    repo = repo_root(Path(os.path.abspath(fleet_file)).parent)
    if repo is None:
        return None
    marked = lock is not None and MARKER.search(lock.text) is not None
    if not marked and not operation_in_progress(repo):
        return None
    found = unmerged_in(repo)
    return found or None


def in_repo(index: Unmerged, path: Path) -> str | None:
    """`path` as git names it (relative to the repository), None outside it."""
    real = os.path.realpath(path)
    relative = os.path.relpath(real, os.path.realpath(index.repo))
    if relative == ".." or relative.startswith("../") or os.path.isabs(relative):
        return None
    return relative.replace(os.sep, "/")


def lock_sides(
    index: Unmerged, lock_file: Path, on_disk: Source | None
) -> LockSides | None:
    """fleet.lock's versions from git's index when it is unmerged, else None.
    Raises GitUnreadable when git cannot give one."""
    from ..lock.merge_fleet import LockSides

    name = in_repo(index, lock_file)
    stages = index.stages.get(name) if name is not None else None
    if not stages:
        return None
    sides = [_stage(index, name, stages, stage) for stage in (BASE, OURS, THEIRS)]
    current = on_disk if on_disk is not None and _sealed(on_disk) else None
    return LockSides(*sides, current=current)


def _stage(index: Unmerged, name: str, stages: dict, stage: int) -> Source | None:
    """One version, named as git names it (`git show :2:fleet.lock` shows it)."""
    if stage not in stages:
        return None
    data = blob(index.repo, stages[stage])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise GitUnreadable(f":{stage}:{name} is not UTF-8") from problem
    return Source(display_path(f":{stage}:{name}"), text)


def _sealed(source: Source) -> bool:
    """A lock fleetc wrote whole (markers and hand edits are not)."""
    found = sealed_by(source)
    return found is not None and found != "edited"


def unmerged_fleet_file(
    index: Unmerged, fleet: Source, path: Path
) -> Diagnostic | None:
    """F823 when git reports the fleet file unmerged and it holds markers."""
    name = in_repo(index, path)
    if name is None or name not in index.stages:
        return None
    marker = MARKER.search(fleet.text)
    if marker is None:
        return None  # merged by hand, not yet added: it reads as it is
    message = (
        f"{fleet.name} is unmerged (git) and still holds conflict markers: the"
        " fleet file is yours to merge"
    )
    help = (
        "keep both branches' changes in the fleet file, remove the markers,"
        " then run fleetc generate: it merges fleet.lock and rewrites the tree"
    )
    span = Span(fleet, marker.start(), marker.end())
    return error("F823", message, span, help=help)
