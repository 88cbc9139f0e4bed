"""The fleet file when the command line names none: fleet.toml, else
fleet.fleet, in the current directory or the nearest parent that has one, up
to the root of the git repository it is in (outside one: the current
directory only, never a folder above it that happens to hold a fleet).

What is found is only a name: it is read as any named fleet file is
(cli/reading.py), so a link or a FIFO found here is judged there.
"""

from __future__ import annotations

import os
from pathlib import Path

NAMES = ("fleet.toml", "fleet.fleet")


def find_fleet(start: Path) -> Path | None:
    """The fleet file nearest `start`, as a path relative to it; None if none."""
    for directory in searched(start):
        for name in NAMES:
            if os.path.lexists(directory / name):
                return Path(os.path.relpath(directory / name, start))
    return None


def searched(start: Path) -> list[Path]:
    """`start` and its parents up to its repository's root (outside a
    repository, `start` alone)."""
    from ..output.disk_facts import repo_root  # not loaded for `--help`

    start = Path(os.path.abspath(start))
    root = repo_root(start)
    if root is None:
        return [start]
    parents = [start, *start.parents]
    return parents[: parents.index(root) + 1]


def not_found(start: Path) -> str:
    """The usage error: what was looked for, and where."""
    where = searched(start)
    if len(where) > 1:
        place = f"{where[0]} or its parents up to the repository's root {where[-1]}"
    elif _in_repository(where[0]):
        place = f"{where[0]}, the repository's root"
    else:
        place = f"{where[0]} (outside a git repository: there only)"
    return (
        f"no FLEET given, and no {' or '.join(NAMES)} in {place};"
        " name one, or run `fleetc init` to write a starter fleet.toml"
    )


def _in_repository(directory: Path) -> bool:
    from ..output.disk_facts import repo_root

    return repo_root(directory) is not None


def fill_in(args) -> str | None:
    """Give a command that reads fleet files the one found when none was named;
    the usage error when there is none."""
    if getattr(args, "fleets", None) or getattr(args, "fleet", None) is not None:
        return None
    found = find_fleet(Path.cwd())
    if found is None:
        return not_found(Path.cwd())
    if hasattr(args, "fleets"):
        args.fleets = [found]
    else:
        args.fleet = found
    args.found = found
    return None
