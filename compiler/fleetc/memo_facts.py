"""What a run read from the world, and how to look again (the result cache's facts).

A remembered run (memo.py) holds only while everything it read is unchanged.
Each fact is (kind, subject, value): the run records the value it used, and a
later run asks `observe(kind, subject)` again; a single difference and the run
is done in full. The kinds, one for each way commands.py, twin_check.py and the
writer look at the world:

- `text`: a file's text as `files.read` gives it (sha256), `absent`, or
  `unreadable`: the fleet file, fleet.lock, the twin.
- `twin`: which twin lies beside the fleet file (twins.twin_file).
- `resolve`: where a path really is; `repo`: the git work tree holding a
  directory; `kind`: what a path is (absent, file, dir, link, other);
  `shown`: how messages name a path (files.shown: it depends on all three).
- `disk`: the module check's look-up (disk_facts.disk_view) for a list of paths.
- `stat`: a generated file's inode, size, times and mode, as the writer read it.
  Like git's index, a file changed since has another inode, size or ctime (no
  tool can set a ctime); one written in the very instant the run started could
  keep them all, so the cache keeps no stat taken less than RACY_NS after its
  file was last changed (`racy`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any, Callable

from . import disk_facts, files, twins

# Far above the coarse clock file times come from (a jiffy, 1-10 ms).
RACY_NS = 100_000_000


def observe(kind: str, subject: str) -> Any:
    return OBSERVERS[kind](subject)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def text_of(path: str) -> Any:
    if not os.path.lexists(path):
        return "absent"
    try:
        return text_hash(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return "unreadable"


def twin_of(fleet_file: str) -> str | None:
    try:
        found = twins.twin_file(Path(fleet_file))
    except OSError:
        return "unreadable"
    return None if found is None else str(found)


def resolved(path: str) -> str:
    return os.path.realpath(path)


def repo_of(directory: str) -> str | None:
    found = disk_facts.repo_root(Path(directory))
    return None if found is None else str(found)


def shown_as(path: str) -> str:
    return files.shown(Path(path))


def kind_of(path: str) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "absent"
    if stat.S_ISLNK(mode):
        return "link to dir" if os.path.isdir(path) else "link"
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else "other"


def disk_of(subject: str) -> list:
    paths, repo = json.loads(subject)
    view = disk_facts.disk_view(paths, Path(repo) if repo else None)
    return view.as_json()


def disk_subject(paths: list[str], repo: Path | None) -> str:
    return json.dumps([paths, None if repo is None else str(repo)])


def signature(found: os.stat_result) -> list[int]:
    return [
        found.st_dev,
        found.st_ino,
        found.st_size,
        found.st_mtime_ns,
        found.st_ctime_ns,
        found.st_mode,
    ]


def stat_of(path: str) -> Any:
    try:
        return signature(os.lstat(path))
    except OSError:
        return "absent"


def racy(value: Any, started_ns: int) -> bool:
    """A stat too close to the run's start to tell a later change by (module doc)."""
    if not isinstance(value, list):
        return False
    return max(value[3], value[4]) >= started_ns - RACY_NS


OBSERVERS: dict[str, Callable[[str], Any]] = {
    "text": text_of,
    "twin": twin_of,
    "resolve": resolved,
    "repo": repo_of,
    "kind": kind_of,
    "shown": shown_as,
    "disk": disk_of,
    "stat": stat_of,
}
