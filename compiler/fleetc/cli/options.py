"""Options several commands share, declared once."""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("text", "json", "github")


def fleet_command(sub, name: str, summary: str, many: bool = False, out: bool = True):
    """A command that reads fleet files: FLEET (or FLEET...), --out, --format,
    --format-in."""
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
    format_in(command)
    return command


def format_in(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format-in",
        choices=("toml", "fleet"),
        help="input format (default: by extension)",
    )


def force(command) -> None:
    command.add_argument(
        "--force", action="store_true", help="overwrite generated files edited by hand"
    )


def locked(command) -> None:
    command.add_argument(
        "--locked",
        action="store_true",
        help="fail (exit 1) instead of changing fleet.lock: for CI and pre-commit",
    )


def forget(command) -> None:
    command.add_argument(
        "--forget",
        action="append",
        metavar="VM",
        help="drop VM's retirement records (its stop units) from fleet.lock,"
        " once every host it left was switched; repeatable",
    )
