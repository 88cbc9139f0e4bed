"""Checking a fleet against its twin on disk (`fleet.fleet` beside `fleet.toml`).

The twin is compiled too, with the lock this run would write, and must give
the same tree and lock byte for byte (see twins.py for why); otherwise a
located error (F035) names the first generated file and line that differ, or
(F036) the twin's first error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .. import frontend
from ..core.twins import TWIN_SUFFIX, twin_file
from ..core.diagnostics import Diagnostic, error, has_errors
from ..cli.files import read, repository_of
from ..core.pipeline import Result, compile, lock_path
from ..core.placement import Placement
from ..cli.report import Report
from ..core.source import Source, Span, display_path

if TYPE_CHECKING:
    from ..core.twin_differences import Difference


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
    """F035 naming the first file and line that differ, the tree before the
    lock, located at the twin's first key unlike this fleet's."""
    from ..core.twin_differences import first_difference  # twins disagree

    name = display_path(fleet_file)
    at = located(twin, mine, theirs)
    difference = first_difference(mine.files, theirs.files)
    if difference is not None:
        where = f"{shown(Path(str(mine.output_dir)))}/{difference.file}"
        return twin_differs(at, name, where, difference)
    difference = first_difference({"": mine.lock_text}, {"": theirs.lock_text})
    if difference is not None:
        where = shown(Path(lock_path(str(fleet_file))))
        return twin_differs(at, name, where, difference)
    return None


def located(twin: Source, mine: Result, theirs: Result) -> tuple[Span, Span | None]:
    """The twin's first key unlike this fleet's, and this fleet's; else the
    twin's start. Compared allocated: a value one twin writes and the other
    leaves to fleetc (a derived tap id) is no difference."""
    from ..core.twin_differences import first_model_difference

    found = None
    if mine.fleet is not None and theirs.fleet is not None:
        found = first_model_difference(mine.fleet, theirs.fleet)
    if found is None or found[0] is None:
        return start_of(twin), None
    return found


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
    at: tuple[Span, Span | None],
    read_name: str,
    where: str,
    difference: Difference,
) -> Diagnostic:
    mine, theirs = (
        "nothing" if text is None else f"`{text.strip()}`"
        for text in (difference.mine, difference.theirs)
    )
    span, counterpart = at
    twin = span.source
    if counterpart is not None:
        mine += f" ({counterpart.location()})"
    return error(
        "F035",
        f"{twin.name} and {read_name} describe different fleets:"
        f" {where} first differs at line {difference.line}",
        span,
        label=f"this file gives {theirs}, {read_name} gives {mine}",
        help=f"make them agree (`fleetc convert {read_name} --to"
        f" {TWIN_SUFFIX[Path(read_name).suffix][1:]} -o {twin.name}`"
        " rewrites the twin, without its comments) or delete one",
    )
