"""The command line: the parser, built from the commands' own modules
(cli/commands/), and one dispatch.

Nothing but the standard library's argparse is imported until a command runs:
`fleetc --version`, `--help` and pre-commit's many short runs should not pay
for jinja2, lark and the compiler (130 ms of imports) they do not use.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from .commands import REGISTRY, command
from . import closed_pipe
from .startup import collector_off, left_to_the_exit


class UsageError(Exception):
    """The command line is wrong; raised instead of argparse's exit when the
    run must still end with a JSON document."""


class JsonArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}")


def parser(
    kind: type = argparse.ArgumentParser, only: str | None = None
) -> argparse.ArgumentParser:
    """The whole command line; with `only`, the parser of that one command
    (all a run of it reads: building the other thirty was a tenth of a
    30-VM `check`)."""
    top = kind(
        prog="fleetc",
        description="Compile a MicroVM fleet into a checked Nix flake tree.",
        epilog="Exit codes: 0 ok, 1 fleet errors or stale tree, 2 usage or I/O, 3 nix failed.",
    )
    top.add_argument("--version", action="version", version=f"fleetc {__version__}")
    sub = top.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=mixed(kind)
    )
    for name in (only,) if only else REGISTRY:
        with_examples(command(name).arguments(sub), command(name).EXAMPLES)
    return top


def named_command(argv: list[str]) -> str | None:
    """The command the line starts with, when it names one: any other line
    (`--help`, a typo) gets the whole parser, and its help or error."""
    return argv[0] if argv and argv[0] in REGISTRY else None


def with_examples(parser: argparse.ArgumentParser, examples: str) -> None:
    """Every subcommand's help ends with examples: what a newcomer types."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    before = f"{parser.epilog}\n\n" if parser.epilog else ""
    parser.epilog = before + "examples:\n" + examples


class Intermixed:
    """A subcommand's options may come between its positionals, as users type
    them (`build FLEET --out DIR web`): argparse's intermixed parsing, which it
    refuses on a parser with subcommands, so only the subcommands use it."""

    _mixing = False

    def parse_known_args(self, args=None, namespace=None):
        if self._mixing:  # the two passes of parse_known_intermixed_args
            return super().parse_known_args(args, namespace)
        self._mixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._mixing = False


def mixed(kind: type) -> type:
    return type(f"Intermixed{kind.__name__}", (Intermixed, kind), {})


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """Arguments after the first `--` belong to nix, untouched."""
    if "--" not in argv:
        return argv, []
    cut = argv.index("--")
    return argv[:cut], argv[cut + 1 :]


def wants_json(argv: list[str]) -> bool:
    """Whether `--format json` was asked for, read before (or without) parsing."""
    pairs = zip(argv, argv[1:], strict=False)
    return "--format=json" in argv or ("--format", "json") in pairs


def main(argv: list[str] | None = None) -> int:
    """The command line's exit code. The whole run is without the cyclic
    collector (startup.py says why); a closed pipe ends it quietly, as it ends
    `yes | head` (closed_pipe.py)."""
    try:
        try:
            with collector_off():
                return dispatch(argv)
        finally:  # --help and --version end in SystemExit: flush then too
            closed_pipe.flush()
    except BrokenPipeError:
        return closed_pipe.end_quietly()


def run(argv: list[str] | None = None) -> int:
    """The `fleetc` executable and `python -m fleetc`: main() in a process
    that ends with it (startup.py)."""
    code = main(argv)
    left_to_the_exit()
    return code


def dispatch(argv: list[str] | None) -> int:
    ours, nix_args = split_passthrough(sys.argv[1:] if argv is None else argv)
    json_wanted = wants_json(ours)
    command_line = parser(
        JsonArgumentParser if json_wanted else argparse.ArgumentParser,
        named_command(ours),
    )
    try:
        args = command_line.parse_args(ours)
        if getattr(args, "fleets", None) and len(args.fleets) > 1 and args.out:
            command_line.error("--out needs exactly one FLEET")
    except UsageError as wrong:
        return usage_document(str(wrong))
    args.nix_args = nix_args
    chosen = command(args.command)
    if not chosen.READS_FLEET:  # schema, explain, completion, init
        return chosen.run(args)
    missing = found_fleet(args)
    if missing is not None:
        return missing
    from .compiled import run_fleets  # the compiler, imported on use

    try:
        return run_fleets(args, chosen.run)
    except KeyboardInterrupt:
        return 130


def found_fleet(args: argparse.Namespace) -> int | None:
    """FLEET left out: the one found is used, and said; none is a usage error."""
    from .finding import fill_in
    from .report import Report

    problem = fill_in(args)
    if problem is not None:
        return usage_error(args, problem)
    if getattr(args, "found", None) is not None:
        Report(args.format, args.command).say(f"fleetc: using {args.found}")
    return None


def usage_error(args: argparse.Namespace, message: str) -> int:
    from .files import EXIT_USAGE, usage_problem
    from .report import Report

    if args.format == "json":
        return usage_document(f"fleetc: {message}")
    usage_problem(Report(args.format, args.command), message)
    return EXIT_USAGE


def usage_document(message: str) -> int:
    """A usage error under --format json: the message on stderr, and the one
    JSON document on stdout, so that readers of stdout never get nothing."""
    from ..core.diagnostics import error
    from .files import EXIT_USAGE
    from .report import Report

    print(message, file=sys.stderr)
    report = Report("json", None)  # no command could be read
    report.show([error("F037", message, None)])
    return report.finish(EXIT_USAGE)


if __name__ == "__main__":
    raise SystemExit(run())
