"""One module per command, each owning its arguments, examples and `run`.

Each module declares SUMMARY, EXAMPLES, READS_FLEET (whether `run` is called
once per fleet file, with a report, or once for the command line),
`arguments(sub)` (its parser) and `run(args)`. Its top-level imports stay
light (argparse and the shared options): `--help` and `--version` build every
parser, and must not load the compiler.

A new command is a module here and its name below.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

REGISTRY = (
    "check",
    "generate",
    "diff",
    "build",
    "lock",
    "update",
    "convert",
    "plan",
    "graph",
    "schema",
    "explain",
    "completion",
)


def command(name: str) -> ModuleType:
    return import_module(f"{__name__}.{name}")
