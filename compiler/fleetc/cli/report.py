"""What a run tells its user, in the three formats users ask for.

Text and github: diagnostics and messages go to stderr as they happen; data a
command produces (a diff, converted text, the build table) goes to stdout.
JSON: exactly one document on stdout at the end of the run, whatever happened
(fleet errors, I/O errors, refusals, several fleets); human messages still go
to stderr, so stdout is always machine-readable. The document extends the one
of docs/fleet-format.md section 7: `version, errors, warnings, diagnostics` as
before (over the whole run, each diagnostic naming its `fleet`), plus
`command`, `exit` and `fleets`, one entry a fleet file with its own exit code
and results.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

from ..core.diagnostics import (
    Diagnostic,
    render_github,
    render_line,
    render_text,
    terminal_safe,
    to_json,
)


class Report:
    """Collects one run's diagnostics and results; `finish` ends the run."""

    def __init__(self, fmt: str, command: str | None) -> None:
        self.fmt = fmt
        self.command = command
        self.diagnostics: list[tuple[str | None, Diagnostic]] = []
        self.fleets: list[dict[str, Any]] = []

    @property
    def fleet(self) -> dict[str, Any] | None:
        """The entry of the fleet being worked on; None before the first."""
        return self.fleets[-1] if self.fleets else None

    def begin(self, fleet_file: str) -> None:
        self.fleets.append({"file": fleet_file, "exit": None})

    def end(self, code: int) -> int:
        self.fleet["exit"] = code
        return code

    def show(self, diagnostics: list[Diagnostic]) -> None:
        """Diagnostics of the fleet being worked on (or of the run)."""
        self._keep(diagnostics)
        if self.fmt != "json":
            print_diagnostics(diagnostics, self.fmt)

    def problem(self, diagnostic: Diagnostic) -> None:
        """A file-system or usage problem: one line in text, a diagnostic in JSON."""
        self._keep([diagnostic])
        if self.fmt == "text":
            print(render_line(diagnostic), file=sys.stderr)
        elif self.fmt == "github":
            print(render_github(diagnostic), file=sys.stderr)

    def _keep(self, diagnostics: list[Diagnostic]) -> None:
        owner = self.fleet["file"] if self.fleet else None
        self.diagnostics += [(owner, d) for d in diagnostics]

    def say(self, text: str) -> None:
        """A message for the human at the terminal: stderr in every format,
        with any name it quotes (a path, a VM) unable to drive the terminal."""
        print(terminal_safe(text), file=sys.stderr)

    def data(self, key: str, text: str) -> None:
        """What the command produces: stdout, or `key` of the fleet's JSON entry."""
        if self.fmt == "json":
            self.note(key, text)
        else:
            sys.stdout.write(text)

    def note(self, key: str, value: Any) -> None:
        """A result that only the JSON document carries (text shows it otherwise)."""
        if self.fleet is not None:
            self.fleet[key] = value

    def finish(self, code: int) -> int:
        if self.fmt == "json":
            print(json.dumps(self.document(code), indent=2, ensure_ascii=False))
        return code

    def document(self, code: int) -> dict[str, Any]:
        found = [d for _, d in self.diagnostics]
        for entry in self.fleets:
            mine = [d for owner, d in self.diagnostics if owner == entry["file"]]
            entry["errors"] = sum(d.is_error for d in mine)
            entry["warnings"] = sum(not d.is_error for d in mine)
        return {
            "version": 1,
            "errors": sum(d.is_error for d in found),
            "warnings": sum(not d.is_error for d in found),
            "diagnostics": [
                {**to_json(d), "fleet": owner} for owner, d in self.diagnostics
            ],
            "command": self.command,
            "exit": code,
            "fleets": self.fleets,
        }


def print_diagnostics(
    diagnostics: list[Diagnostic], fmt: str, stream: TextIO | None = None
) -> None:
    """Text or github diagnostics, as they happen (JSON is `Report`'s)."""
    stream = stream or sys.stderr
    if fmt == "github":
        for diagnostic in diagnostics:
            print(render_github(diagnostic), file=stream)
    else:
        colour = wants_colour(stream)
        for diagnostic in diagnostics:
            print(render_text(diagnostic, colour) + "\n", file=stream)
        if diagnostics:
            print(summary(diagnostics), file=stream)


def wants_colour(stream: TextIO) -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set (no-color.org:
    any non-empty value)."""
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = [_plural(errors, "error")] if errors else []
    parts += [_plural(warnings, "warning")] if warnings else []
    return "fleetc: " + ", ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
