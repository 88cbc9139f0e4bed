"""docs/reference/commands.md and the man page's commands, read from the
parser itself (cli/main.py builds it from cli/commands/, one module a
command): usage, description, every argument and option with its help, and
the command's examples. Nothing here is written by hand, so a new command or
option is in the reference as soon as it is in the parser."""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass

from .commands import REGISTRY, command
from .main import parser

# The width usage lines are wrapped at: the page must not depend on the
# terminal `make docs` runs in.
WIDTH = 80

HEAD = """\
# fleetc's commands

Generated from fleetc's argument parser by `make docs`; do not edit. The
same text is in `fleetc COMMAND --help`. Exit codes of every command: 0 ok,
1 the fleet has errors or the tree is stale, 2 usage or I/O, 3 nix failed.
Where FLEET is left out, fleetc uses `fleet.toml` (else `fleet.fleet`) of the
current directory or the nearest parent, up to the repository's root.
"""


@dataclass(frozen=True)
class Option:
    names: str  # "--out OUT", "FLEET"
    help: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    description: str
    usage: str
    options: tuple[Option, ...]
    examples: str
    hidden: bool


def commands() -> list[Command]:
    """Every command of REGISTRY, in its order, as its parser declares it."""
    subparsers = _subparsers(parser())
    return [_command(name, subparsers.choices[name]) for name in REGISTRY]


def _subparsers(top: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))


def _command(name: str, own: argparse.ArgumentParser) -> Command:
    module = command(name)
    return Command(
        name=name,
        summary=module.SUMMARY,
        description=own.description or module.SUMMARY,
        usage=usage(own),
        options=tuple(_option(a) for a in own._actions if _shown(a)),
        examples=module.EXAMPLES,
        hidden=getattr(module, "HIDDEN", False),
    )


def usage(own: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(own.prog, width=WIDTH)
    formatter.add_usage(own.usage, own._actions, own._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _shown(action: argparse.Action) -> bool:
    return action.help != argparse.SUPPRESS and not isinstance(
        action, argparse._HelpAction
    )


def _option(action: argparse.Action) -> Option:
    """`--out OUT`, `--format text|json|github`, `FLEET`, `bash|zsh|fish`."""
    value = action.metavar or action.dest.upper()
    if action.choices and action.metavar is None:
        value = "|".join(action.choices)
    names = value
    if action.option_strings:
        names = ", ".join(action.option_strings)
        names += f" {value}" if action.nargs != 0 else ""
    text = (action.help or "").replace("%%", "%")
    return Option(names, text, tuple(action.choices or ()))


def page() -> str:
    return HEAD + "".join(section(found) for found in commands())


def section(found: Command) -> str:
    note = (
        " Run by git (`fleetc setup-git` registers it), not by people."
        if found.hidden
        else ""
    )
    rows = "".join(option_row(option) for option in found.options)
    return (
        f"\n## fleetc {found.name}\n\n{found.description}{note}\n\n"
        f"```\n{found.usage}\n```\n\n"
        "| argument | meaning |\n| --- | --- |\n"
        f"{rows}\nExamples:\n\n```\n{textwrap.dedent(found.examples)}\n```\n"
    )


def option_row(option: Option) -> str:
    names, meaning = (text.replace("|", "\\|") for text in (option.names, option.help))
    return f"| `{names}` | {meaning} |\n"
