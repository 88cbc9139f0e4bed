"""`generate --staged` (the pre-commit hooks): what reaches the commit.

pre-commit passes the staged paths its `files:` pattern matched, each taken
to the fleets it concerns (staged_paths.py), and what is staged (git's
index, which is what a commit holds) is compared with what fleetc writes.
When the work tree is right and only the index is not (a regenerated lock or
tree not added), the message is the `git add` that is missing, with the
paths, not "run fleetc generate".
"""

from __future__ import annotations

import os
import shlex

from ..core.source import display_path
from ..output.disk_facts import repo_root
from ..output.git_index import GitUnreadable, Unmerged
from ..output.staged import staged_differences
from .compiled import Compiled, stale_check
from .files import EXIT_ERRORS, EXIT_OK
from .merging import in_repo
from .report import Report

LISTED = 10  # more paths than this: `git add` names the lock and the tree


def unstaged(compiled: Compiled) -> list[str] | None:
    """Paths whose staged version differs from what fleetc writes (relative
    to the working directory); None outside git."""
    repo = repo_root(compiled.fleet_file.resolve().parent)
    if repo is None:
        return None
    where = Unmerged(repo)
    out, lock = in_repo(where, compiled.out_dir), in_repo(where, compiled.lock_file)
    if out is None or lock is None:
        return None
    result = compiled.result
    names = staged_differences(repo, out, result.files, lock, result.lock_text)
    return [display_path(os.path.relpath(repo / name)) for name in names]


def staged_check(report: Report, compiled: Compiled) -> int:
    """generate --check --staged: exit 1 when the commit would hold a stale
    tree or lock; the `git add` that is missing when only that is."""
    try:
        differing = unstaged(compiled)
    except GitUnreadable as unreadable:
        report.say(f"fleetc: cannot read git's index: {unreadable}")
        return stale_check(report, compiled)
    if differing is None:
        return stale_check(report, compiled)
    report.note("unstaged", differing)
    if not differing:
        report.note("stale", False)
        return EXIT_OK
    if stale_check(report, compiled) == EXIT_OK:
        report.note("stale", True)
        report.say(
            f"fleetc: regenerated but not staged: {git_add(compiled, differing)}"
        )
    else:
        report.say(f"fleetc: then stage them: {git_add(compiled, differing)}")
    return EXIT_ERRORS


def after_write(report: Report, compiled: Compiled) -> int:
    """generate --staged: what was written must be staged too."""
    try:
        differing = unstaged(compiled) or []
    except GitUnreadable as unreadable:
        report.say(f"fleetc: cannot read git's index: {unreadable}")
        return EXIT_ERRORS
    report.note("unstaged", differing)
    if not differing:
        return EXIT_OK
    report.say(f"fleetc: not staged yet: {git_add(compiled, differing)}")
    return EXIT_ERRORS


def git_add(compiled: Compiled, paths: list[str]) -> str:
    if len(paths) > LISTED:
        lock, out = compiled.lock_file, compiled.out_dir
        paths = [display_path(os.path.relpath(p)) for p in (lock, out)]
    return f"`{shlex.join(['git', 'add', *paths])}`"
