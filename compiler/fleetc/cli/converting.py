"""Converting a fleet to the other input format, to stdout or one new file."""

from __future__ import annotations

import os
from pathlib import Path

from .. import frontend
from ..core.diagnostics import Diagnostic, error
from .files import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, fs_problem, named_as, read
from .reading import repository_of
from ..core.source import Source, display_path
from ..output.writer import write_file_atomically


def convert(args) -> int:
    source = read(args.fleet, args.report, repository_of(args.fleet))
    if isinstance(source, int):
        return source
    refusal = output_refusal(args.output, args.fleet) if args.output else None
    if refusal is not None:
        args.report.problem(refusal)
        return EXIT_USAGE
    text = converted(args, source)
    if isinstance(text, int):
        return text
    if args.output is None:
        args.report.data("converted", text)
    elif write_converted(args, text) != EXIT_OK:
        return EXIT_USAGE
    args.report.say("fleetc: comments are not carried over by convert")
    return EXIT_OK


def converted(args, source: Source) -> str | int:
    """The fleet in the other format; exit 1 when it has errors."""
    fleet, diagnostics = frontend.load(source, args.format_in)
    args.report.show(diagnostics)
    if fleet is None or any(d.is_error for d in diagnostics):
        return EXIT_ERRORS
    from ..convert import to_fleet, to_toml

    return (to_toml if args.to == "toml" else to_fleet)(fleet)


def output_refusal(output: Path, fleet: Path) -> Diagnostic | None:
    """convert -o must name a file, and not the fleet it reads (its comments
    would be lost, and a failed conversion would leave no fleet at all)."""
    name = display_path(output)
    if os.path.isdir(output):
        message = f"cannot write to {name}: it is a directory"
        return error("F034", message, None, file=name, help=CONVERT_HELP)
    if os.path.exists(output) and os.path.samefile(output, fleet):
        message = f"refusing to overwrite {name}: it is the fleet being converted"
        return error("F033", message, None, file=name, help=CONVERT_HELP)
    return None


CONVERT_HELP = "name a new file, e.g. the twin (-o fleet.fleet beside fleet.toml)"


def write_converted(args, text: str) -> int:
    try:
        write_file_atomically(args.output, text)
    except OSError as problem:
        named = named_as(problem, display_path(args.output))
        return fs_problem(args.report, "F031", "cannot write", named)
    args.report.note("written", display_path(args.output))
    return EXIT_OK
