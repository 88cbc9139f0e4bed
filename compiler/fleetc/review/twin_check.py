"""Checking a fleet against its twin on disk (`fleet.fleet` beside `fleet.toml`).

The twin is compiled too, with the lock this run would write, and must give
the same tree and lock byte for byte (see twins.py for why); otherwise a
located error (F035) names the first generated file and line that differ, or
(F036) the twin's first error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .. import frontend
from ..core import twins
from ..core.twins import twin_file
from ..core.diagnostics import Diagnostic, error, has_errors
from ..cli.files import read, repository_of
from ..core.pipeline import Result, compile, lock_path
from ..core.placement import Placement
from ..cli.report import Report
from ..core.source import Source, Span, display_path


def check_twin(
    fleet_file: Path,
    mine: Result,
    placement: Placement,
    report: Report,
    shown: Callable[[Path], str],
    with_files: Result | Callable[[], Result],
) -> Diagnostic | int | None:
    """An error when the fleet's twin describes another fleet; an exit code
    when the twin cannot be read; None when there is no twin or it agrees.
    `with_files`: this fleet's result with its generated files, or how to get
    it (`check` compiles without them, and needs them only when the twins
    disagree)."""
    twin = twin_file(fleet_file)
    if twin is None:
        return None
    source = read(twin, report, repository_of(fleet_file))
    if isinstance(source, int):
        return source
    if same_model(source, mine):
        return None
    theirs = compile_twin(fleet_file, source, mine, placement, emit_files=False)
    if theirs.ok and same_allocation(mine, theirs):
        return None
    theirs = compile_twin(fleet_file, source, mine, placement)
    if not theirs.ok:
        return twin_has_errors(source, theirs.diagnostics)
    mine = with_files if isinstance(with_files, Result) else with_files()
    return compare(fleet_file, source, mine, theirs, shown)


def same_model(twin: Source, mine: Result) -> bool:
    """The twin reads to the very model this fleet did: every later pass is a
    function of the model, the lock and the placement, so the trees agree
    without compiling the twin (pre-commit runs check on every commit)."""
    model, diagnostics = frontend.load(twin, None)
    clean = model is not None and not has_errors(diagnostics)
    return clean and mine.loaded is not None and model == mine.loaded


def same_allocation(mine: Result, theirs: Result) -> bool:
    """Both sides allocated to the same model and lock (twins that differ only
    in what they leave to fleetc, such as derived tap ids): the trees agree."""
    return theirs.fleet == mine.fleet and theirs.lock_text == mine.lock_text


def compile_twin(
    fleet_file: Path,
    twin: Source,
    mine: Result,
    placement: Placement,
    emit_files: bool = True,
) -> Result:
    """The twin reads the lock this run would write, so that values allocated
    now (random machine-ids included) are the same on both sides."""
    lock = Source(display_path(lock_path(str(fleet_file))), mine.lock_text)
    return compile(twin, placement, None, lock, emit_files=emit_files)


def compare(
    fleet_file: Path,
    twin: Source,
    mine: Result,
    theirs: Result,
    shown: Callable[[Path], str],
) -> Diagnostic | None:
    """F035 at the first file and line that differ, the tree before the lock."""
    name = display_path(fleet_file)
    difference = twins.first_difference(mine.files, theirs.files)
    if difference is not None:
        where = f"{shown(Path(str(mine.output_dir)))}/{difference.file}"
        return twin_differs(twin, name, where, difference)
    difference = twins.first_difference({"": mine.lock_text}, {"": theirs.lock_text})
    if difference is not None:
        where = shown(Path(lock_path(str(fleet_file))))
        return twin_differs(twin, name, where, difference)
    return None


def start_of(source: Source) -> Span:
    return Span(source, 0, 0)


def twin_has_errors(twin: Source, diagnostics: list[Diagnostic]) -> Diagnostic:
    first = next(d for d in diagnostics if d.is_error)
    where = f" at {first.span.location()}" if first.span else ""
    return error(
        "F036",
        f"the twin fleet file {twin.name} has errors",
        start_of(twin),
        label=f"first: {first.code} {first.message}{where}",
        help=f"run `fleetc check {twin.name}`: twins must describe one fleet",
    )


def twin_differs(
    twin: Source, read_name: str, where: str, difference: twins.Difference
) -> Diagnostic:
    mine, theirs = (
        "nothing" if text is None else f"`{text.strip()}`"
        for text in (difference.mine, difference.theirs)
    )
    return error(
        "F035",
        f"{twin.name} and {read_name} describe different fleets:"
        f" {where} first differs at line {difference.line}",
        start_of(twin),
        label=f"this file gives {theirs}, {read_name} gives {mine}",
        help=f"make them agree (`fleetc convert {read_name} --to"
        f" {twins.TWIN_SUFFIX[Path(read_name).suffix][1:]} -o {twin.name}`"
        " rewrites the twin, without its comments) or delete one",
    )
