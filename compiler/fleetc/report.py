"""Printing diagnostics in the three formats users ask for."""

from __future__ import annotations

import sys
from typing import TextIO

from .diagnostics import Diagnostic, render_github, render_json, render_text


def print_diagnostics(
    diagnostics: list[Diagnostic], fmt: str, stream: TextIO | None = None
) -> None:
    stream = stream or sys.stderr
    if fmt == "json":
        print(render_json(diagnostics), file=stream)
    elif fmt == "github":
        for diagnostic in diagnostics:
            print(render_github(diagnostic), file=stream)
    else:
        for diagnostic in diagnostics:
            print(render_text(diagnostic) + "\n", file=stream)
        if diagnostics:
            print(summary(diagnostics), file=stream)


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = [_plural(errors, "error")] if errors else []
    parts += [_plural(warnings, "warning")] if warnings else []
    return "fleetc: " + ", ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
