"""The command line: argument parsing and dispatch. The commands live in commands.py.

Nothing but the standard library's argparse is imported until a command runs:
`fleetc --version`, `--help` and pre-commit's many short runs should not pay
for jinja2, lark and the compiler (130 ms of imports) they do not use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

FORMATS = ("text", "json", "github")


class UsageError(Exception):
    """The command line is wrong; raised instead of argparse's exit when the
    run must still end with a JSON document."""


class JsonArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}")


def parser(kind: type = argparse.ArgumentParser) -> argparse.ArgumentParser:
    top = kind(
        prog="fleetc",
        description="Compile a MicroVM fleet into a checked Nix flake tree.",
        epilog="Exit codes: 0 ok, 1 fleet errors or stale tree, 2 usage or I/O, 3 nix failed.",
    )
    top.add_argument("--version", action="version", version=f"fleetc {__version__}")
    sub = top.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=mixed(kind)
    )
    _check(sub)
    _generate(sub)
    _diff(sub)
    _build(sub)
    _convert(sub)
    _plan(sub)
    _graph(sub)
    _tools(sub)
    _examples(sub)
    return top


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


def _tools(sub) -> None:
    """Commands that read no fleet: schema, explain, completion."""
    from .tools import add_tools

    add_tools(sub)


def _examples(sub) -> None:
    """Every subcommand's help ends with examples (cli_examples.py)."""
    from .cli_examples import EXAMPLES

    for name, command in sub.choices.items():
        if name in EXAMPLES:
            command.formatter_class = argparse.RawDescriptionHelpFormatter
            before = f"{command.epilog}\n\n" if command.epilog else ""
            command.epilog = before + "examples:\n" + EXAMPLES[name]


def _check(sub) -> None:
    check = _command(sub, "check", "validate the fleet; exit 1 on errors", many=True)
    _locked(check)


def _generate(sub) -> None:
    gen = _command(
        sub, "generate", "write the generated tree and fleet.lock", many=True
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and show a diff if the tree or lock is stale",
    )
    gen.add_argument(
        "--fail-if-changed",
        action="store_true",
        help="write, but exit 1 when anything changed (for pre-commit, like a formatter)",
    )
    _force(gen)
    _locked(gen)
    _forget(gen)


def _forget(command) -> None:
    command.add_argument(
        "--forget",
        action="append",
        metavar="VM",
        help="drop VM's retirement records (its stop units) from fleet.lock,"
        " once every host it left was switched; repeatable",
    )


def _diff(sub) -> None:
    diff = _command(sub, "diff", "show what generate would change (exit 0)")
    _locked(diff)


def _build(sub) -> None:
    build = _command(sub, "build", "generate, then one nix build of runners and hosts")
    build.add_argument(
        "names", nargs="*", metavar="NAME", help="only these VMs or hosts"
    )
    build.epilog = (
        "Arguments after `--` go to nix unchanged, e.g. -- --override-input nixpkgs ..."
    )
    _force(build)
    _locked(build)


def _convert(sub) -> None:
    convert = _command(
        sub, "convert", "translate the fleet to the other input format", out=False
    )
    convert.add_argument("--to", choices=("toml", "fleet"), required=True)
    convert.add_argument(
        "-o", "--output", type=Path, help="write here (default: stdout)"
    )


def _plan(sub) -> None:
    plan = _command(
        sub, "plan", "show, per host, the VMs the next generate adds, moves, changes"
    )
    plan.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 1 when anything would change (0: nothing would)",
    )
    _forget(plan)


GRAPH_FORMATS = ("mermaid", "dot", "svg")


class GraphFormat(argparse.Action):
    """graph's --format: a picture format, or a diagnostics format as elsewhere."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:
        if value in GRAPH_FORMATS:
            namespace.graph_format, namespace.format = value, "text"
        else:
            namespace.format = value


def _graph(sub) -> None:
    summary = "draw hosts, VMs, networks and addresses (mermaid, dot or svg)"
    graph = sub.add_parser("graph", help=summary, description=summary)
    graph.add_argument("fleet", type=Path, help="the fleet file (.toml or .fleet)")
    graph.add_argument(
        "--format",
        choices=GRAPH_FORMATS + FORMATS,
        default="text",
        action=GraphFormat,
        help="mermaid (default), dot, svg (needs Graphviz); json: the mermaid"
        " text in the JSON document",
    )
    graph.add_argument("--format-in", choices=("toml", "fleet"))
    graph.set_defaults(graph_format="mermaid", out=None)


def _command(sub, name: str, summary: str, many: bool = False, out: bool = True):
    # Without --out, no abbreviation: `convert --out X` must not become --output.
    command = sub.add_parser(name, help=summary, description=summary, allow_abbrev=out)
    if many:
        command.add_argument("fleets", nargs="+", type=Path, metavar="FLEET")
    else:
        command.add_argument(
            "fleet", type=Path, help="the fleet file (.toml or .fleet)"
        )
    if out:  # convert writes no tree: its file is -o
        command.add_argument(
            "--out", type=Path, help="output directory (default: fleet.output)"
        )
    command.add_argument(
        "--format", choices=FORMATS, default="text", help="diagnostics"
    )
    command.add_argument(
        "--format-in",
        choices=("toml", "fleet"),
        help="input format (default: by extension)",
    )
    return command


def _force(command) -> None:
    command.add_argument(
        "--force", action="store_true", help="overwrite generated files edited by hand"
    )


def _locked(command) -> None:
    command.add_argument(
        "--locked",
        action="store_true",
        help="fail (exit 1) instead of changing fleet.lock: for CI and pre-commit",
    )


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
    ours, nix_args = split_passthrough(sys.argv[1:] if argv is None else argv)
    json_wanted = wants_json(ours)
    command_line = parser(
        JsonArgumentParser if json_wanted else argparse.ArgumentParser
    )
    try:
        args = command_line.parse_args(ours)
        if getattr(args, "fleets", None) and len(args.fleets) > 1 and args.out:
            command_line.error("--out needs exactly one FLEET")
    except UsageError as wrong:
        return usage_document(str(wrong))
    args.nix_args = nix_args
    if hasattr(args, "tool"):  # schema, explain, completion: no fleet to read
        return args.tool(args)
    from .startup import commands  # the import, without the collector (startup.py)

    try:
        return commands.run(args)
    except KeyboardInterrupt:
        return 130


def usage_document(message: str) -> int:
    """A usage error under --format json: the message on stderr, and the one
    JSON document on stdout, so that readers of stdout never get nothing."""
    from .diagnostics import error
    from .files import EXIT_USAGE
    from .report import Report

    print(message, file=sys.stderr)
    report = Report("json", None)  # no command could be read
    report.show([error("F037", message, None)])
    return report.finish(EXIT_USAGE)


if __name__ == "__main__":
    raise SystemExit(main())
