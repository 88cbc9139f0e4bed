"""One output, one fleet: the manifest names the fleet file whose tree it is.

Two fleet files in one directory both default to `output = "generated"`, and
`generate` of the second would replace the first one's tree. So the manifest
records the fleet that wrote it, `"fleet": ["../fleet.toml", "../fleet.fleet"]`:
its file by both twin names (the same bytes whichever twin was read), relative
to the output directory (the same wherever the repository is checked out). A
command of another fleet that would write or compare there is refused (F038),
naming both fleets and the key to set, before the tree is read or written; the
writer checks again under its lock. A manifest without `fleet` (written before
it was kept) is adopted by the next write. `generate --force` takes a tree
over (its fleet file renamed or moved).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from ..core.diagnostics import Diagnostic, error
from ..core.source import Span, display_path
from ..core.twins import twin_names
from .own_files import read_own
from .manifest import manifest_owner
from .transaction import MANIFEST, BadInput


@dataclass(frozen=True)
class Owner:
    """A fleet as the manifest of its tree names it; how messages show its
    file and its output directory (the CLI's paths, cli.files.shown)."""

    names: tuple[str, ...]
    shown: str = field(default="", compare=False)
    shown_out: str = field(default="", compare=False)


def owner_of(fleet_file: Path, out_path: Path, shown: str, shown_out: str) -> Owner:
    """The fleet file's names relative to the output directory, both resolved
    (a fleet file named through a link is the file it leads to) but for the
    output's own name: a symlinked output is named as the link."""
    fleet_dir, fleet_name = os.path.split(os.path.realpath(fleet_file))
    out = os.path.abspath(out_path)
    out = os.path.join(os.path.realpath(os.path.dirname(out)), os.path.basename(out))
    back = os.path.relpath(fleet_dir, out)
    names = twin_names(fleet_name)
    relative = names if back == "." else tuple(f"{back}/{n}" for n in names)
    # As the generated headers write names: UTF-8, a byte that is not as `\xe9`.
    return Owner(tuple(map(display_path, relative)), shown, shown_out)


def recorded_owner(out_dir: Path) -> tuple[str, ...] | None:
    """The fleet the manifest on disk names; None when there is none, or no
    readable manifest (the commands that read the tree say why)."""
    try:
        data = read_own(out_dir / MANIFEST)
        return None if data is None else manifest_owner(out_dir, data)
    except (BadInput, OSError, ValueError):
        return None


def owner_problem(
    out_dir: Path, owner: Owner, span: Span | None
) -> tuple[tuple[str, ...] | None, Diagnostic | None]:
    """(the fleet the tree belongs to, F038 when it is not `owner`)."""
    recorded = recorded_owner(out_dir)
    if recorded is None or recorded == owner.names:
        return recorded, None
    return recorded, another_fleet(recorded, owner, span)


def refuse_another_fleet(
    out_dir: Path, recorded: tuple[str, ...] | None, owner: Owner | None
) -> None:
    """The writer's own check, under its lock (a run of another fleet may have
    written the tree since this one compared)."""
    if owner is not None and recorded is not None and recorded != owner.names:
        raise BadInput(another_fleet(recorded, owner, None))


def another_fleet(
    recorded: tuple[str, ...], owner: Owner, span: Span | None
) -> Diagnostic:
    theirs = shown_names(owner.shown_out, recorded)
    message = f"{owner.shown_out} is the output of {theirs}, not of {owner.shown}"
    help = (
        f"one output directory holds one fleet's tree: set `output` in the [fleet] "
        f"table of {owner.shown} to a directory of its own (or pass --out); "
        "`fleetc generate --force` takes the tree over (a fleet file renamed or moved)"
    )
    return error("F038", message, span, help=help, file=owner.shown)


def shown_names(shown_out: str, names: tuple[str, ...]) -> str:
    """The manifest's names as the user's paths: `a.toml or a.fleet`."""
    return " or ".join(posixpath.normpath(posixpath.join(shown_out, n)) for n in names)
