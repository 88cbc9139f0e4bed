"""lib/roots.nix: `repoRoot` and `fleetRoot`, the module arguments that reach
the repository and the fleet file's directory whatever `self` is.

With current Nix, `self` of a flake read with `dir=` is that directory only,
and behind `fleetc build`'s forwarding flake it is the staging directory, so a
module's `self + /path` breaks. A path literal relative to a file of the tree
is read from the same copy of the source in every case. The paths depend on
where the tree sits, so they live in this file alone: flake.nix stays the same
wherever the fleet is generated.
"""

from __future__ import annotations

import posixpath

from . import nix
from .templating import render

PATH = "lib/roots.nix"


def roots_file(layout) -> str:
    roots = {
        "repoRoot": nix.path(from_lib(repo_root(layout))),
        "fleetRoot": nix.path(
            from_lib(posixpath.join(layout.fleet_dir_from_output, "."))
        ),
    }
    return render("roots.nix.j2", layout.source_name, roots=roots)


def repo_root(layout) -> str:
    """From the output directory up to the repository root; outside git (or
    with the output at the root), the fleet file's directory."""
    if layout.output_in_repo is None:
        return posixpath.join(layout.fleet_dir_from_output, ".")
    depth = len(layout.output_in_repo.split("/"))
    return "/".join([".."] * depth) + "/."


def from_lib(relative: str) -> str:
    """The same path written from lib/, one directory below the output."""
    return posixpath.join("..", relative)
