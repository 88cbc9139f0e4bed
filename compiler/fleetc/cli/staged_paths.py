"""The fleets staged paths concern (`generate --staged`, the pre-commit hooks).

pre-commit passes the staged paths its `files:` pattern matched: a fleet file,
fleet.lock, a module file, a file of the generated tree. A fleet file is
itself; a lock is the fleet beside it (`fleet.toml` or a `.fleet` twin: not
Cargo.toml beside Cargo.lock); anything else concerns every fleet file git
tracks (`fleet.toml`, `*.fleet`): which fleet reads a module, or
writes a tree, only its compile can tell, and a repository has few fleets.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..output.disk_facts import repo_root
from ..output.staged import tracked_fleets

FLEET_SUFFIXES = (".toml", ".fleet")


def staged_fleets(paths: list[Path]) -> list[Path]:
    """The fleet files the staged `paths` concern, each once, in order."""
    found: list[Path] = []
    others = False
    for path in paths:
        fleet = _fleet_of(path)
        others = others or fleet is None
        if fleet is not None and fleet not in found:
            found.append(fleet)
    if others:
        found += [f for f in _tracked() if f not in found]
    return found


def _fleet_of(path: Path) -> Path | None:
    if path.suffix in FLEET_SUFFIXES:
        return path
    if path.suffix == ".lock":  # fleetc's only beside a fleet (not Cargo.lock)
        twins = [path.with_suffix(".fleet")]
        twins += [path.with_suffix(".toml")] if path.stem == "fleet" else []
        return next((twin for twin in twins if twin.is_file()), None)
    return None


def _tracked() -> list[Path]:
    repo = repo_root(Path.cwd())
    if repo is None:
        return []
    return [Path(os.path.relpath(repo / name)) for name in tracked_fleets(repo)]
