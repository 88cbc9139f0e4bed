"""`embed = true`: the repository's own root flake carries the fleet (F067).

Its flake.nix calls `import ./<output>/outputs.nix inputs`, so the output
must lie inside the repository (outside git, inside the fleet file's
directory, whose flake.nix is then the root flake). What is on disk (the
root flake.nix, its flake.lock) is judged by commands when they read it
(pinned.py: F060, F065, F066).
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet
from .module_files import inside

if TYPE_CHECKING:
    from ..pipeline import Placement


def check_embedded_output(fleet: Fleet, placement: Placement) -> Iterator[Diagnostic]:
    root = placement.repo_root or placement.fleet_dir
    out = posixpath.normpath(str(placement.output_dir(fleet)))
    if not fleet.embed or inside(out, root):
        return
    message = (
        f"`embed = true`, but the output `{out}` is outside `{root}`, whose"
        " flake.nix would carry the fleet"
    )
    help = "generate inside the repository (`output` or `--out`), or embed = false"
    yield error("F067", message, fleet.at("embed"), help=help)
