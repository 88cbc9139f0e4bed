"""The commands that read no fleet: `schema`, `explain`, `completion`.

Each prints a text on stdout (through a text Report, as every command's data
goes) and exits 0, or names what is wrong in one line and exits 2.
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh", "fish")


def add_tools(sub) -> None:
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of fleet.toml (for editors)",
        description="Print the JSON Schema of fleet.toml, for editor completion.",
    )
    schema.set_defaults(tool=print_schema)
    explain = sub.add_parser(
        "explain",
        help="what a diagnostic code means, with an example and the fix",
        description="Explain a diagnostic code (F203, ...): meaning, example, fix.",
    )
    explain.add_argument("code", metavar="CODE", help="e.g. F203")
    explain.set_defaults(tool=print_explanation)
    completion = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description="Print a completion script for your shell.",
    )
    completion.add_argument("shell", choices=SHELLS)
    completion.set_defaults(tool=print_completion)


def print_schema(args: argparse.Namespace) -> int:
    from ...frontend.jsonschema import text

    from ..report import Report  # on use: cli builds this parser for --version

    Report("text", "schema").data("schema", text())
    return 0


def print_explanation(args: argparse.Namespace) -> int:
    from .explain import explanation
    from ..files import EXIT_USAGE
    from ..report import Report

    report = Report("text", "explain")
    found = explanation(args.code.upper())
    if found is None:
        report.say(f"fleetc: no diagnostic code {args.code}; codes look like F203")
        return EXIT_USAGE
    report.data("explanation", found)
    return 0


def print_completion(args: argparse.Namespace) -> int:
    from ..main import parser
    from ..completion import script
    from ..report import Report

    Report("text", "completion").data("script", script(parser(), args.shell))
    return 0
