"""Twin fleet files: `fleet.toml` and `fleet.fleet` side by side describe one fleet.

Twins share `fleet.lock` and the output directory, so they must give the same
bytes, or tools that run on whichever changed (the pre-commit hooks) flip the
tree between them. So generated headers and the lock name the fleet by both
names (`fleet.toml or fleet.fleet`), never by the file that happened to be
read, and a command reading one twin compiles the other too and refuses (F035)
when their trees differ. This module names twins, and `twin_file` only looks whether the twin
exists; twin_check.py reads and compiles it, and twin_differences.py finds
where two that disagree first differ.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

TWIN_SUFFIX = {".toml": ".fleet", ".fleet": ".toml"}


def fleet_names(file_name: str) -> str:
    """How generated files name their fleet: the same whichever twin was read."""
    return " or ".join(twin_names(file_name))


def twin_names(file_name: str) -> tuple[str, ...]:
    """The fleet's file names: both twins (`.toml` first), or the one name."""
    path = PurePosixPath(file_name)
    if path.suffix not in TWIN_SUFFIX:
        return (path.name,)
    return (f"{path.stem}.toml", f"{path.stem}.fleet")


def twin_name(file_name: str) -> str | None:
    """The other twin's file name (it may not exist); None for other suffixes."""
    path = PurePosixPath(file_name)
    other = TWIN_SUFFIX.get(path.suffix)
    return path.with_suffix(other).name if other else None


def twin_file(fleet_file: Path) -> Path | None:
    """The fleet's twin on disk (`fleet.fleet` beside `fleet.toml`), if any."""
    name = twin_name(fleet_file.name)
    twin = fleet_file.with_name(name) if name else None
    if twin is None or not os.path.lexists(twin):
        return None
    same = twin.exists() and os.path.samefile(twin, fleet_file)
    return None if same else twin
