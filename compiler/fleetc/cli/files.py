"""Reading the user's files, and file-system problems as one-line diagnostics.

Every OSError a command meets becomes a diagnostic without a span (F030 read,
F031 write, F032 anything else) naming the file, printed as one line in text
(`fleetc: cannot read fleet.lock: Permission denied`) and exit code 2.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.diagnostics import error
from .reading import Refused, read_bytes, repository_of  # noqa: F401 (review)
from .report import Report
from ..core.source import Source, display_path

# The exit codes of every command (README: 0 ok, 1 fleet errors or stale, 2 usage
# or I/O, 3 nix failed).
EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_NIX = 0, 1, 2, 3


def fs_problem(
    report: Report, code: str, action: str, problem: OSError, about: str | None = None
) -> int:
    """Report an OSError as `<action> <file>: <reason>`; the exit code for it.
    `about` names the file when the error does not (a full disk's EFBIG).
    A closed pipe is no problem of the fleet's: its reader left, and the run
    ends quietly (cli.main)."""
    if isinstance(problem, BrokenPipeError):
        raise problem
    file = display_path(problem.filename) if problem.filename is not None else about
    reason = problem.strerror or str(problem)
    name = file
    if problem.filename2 is not None:
        name = f"{file} -> {display_path(problem.filename2)}"
    message = f"{action} {name}: {reason}" if name else f"{action}: {reason}"
    report.problem(error(code, message, None, file=file))
    return EXIT_USAGE


def usage_problem(report: Report, message: str, file: str | None = None) -> int:
    report.problem(error("F037", message, None, file=file))
    return EXIT_USAGE


def read(path: Path, report: Report, root: Path | None) -> Source | int:
    """The file as a Source named for display; an exit code when it cannot or
    must not be read (reading.py: a regular file inside `root`, bounded)."""
    name = display_path(path)
    try:
        data = read_bytes(path, root)
    except OSError as problem:
        return fs_problem(report, "F030", "cannot read", named_as(problem, name))
    except Refused as refusal:
        message = f"cannot read {name}: {refusal.reason}"
        report.problem(error(refusal.code, message, None, help=refusal.help, file=name))
        return EXIT_USAGE
    try:
        return Source(name, universal_newlines(data.decode("utf-8")))
    except UnicodeDecodeError as problem:
        reason = f"not UTF-8 (byte {problem.start})"
        report.problem(error("F030", f"cannot read {name}: {reason}", None, file=name))
        return EXIT_USAGE


def universal_newlines(text: str) -> str:
    """Line ends as a text-mode read gives them (`\r\n` and `\r` become `\n`)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def named_as(problem: OSError, name: str) -> OSError:
    """The OSError, naming the file as the user wrote it."""
    return OSError(problem.errno, problem.strerror or str(problem), name)


def shown(path: Path) -> str:
    """A path as users should see it: relative to the repository, else to the cwd."""
    from ..output.disk_facts import (
        repo_root,
    )  # not for `--help`, which imports this module

    path = path.resolve()
    root = repo_root(path if path.is_dir() else path.parent)
    try:
        return display_path(path.relative_to(str(root) if root else Path.cwd()))
    except ValueError:
        # Outside any repository: from the cwd, unless that climbs more than
        # one level (`../../tmp/demo` says less than `/tmp/demo`).
        relative = os.path.relpath(path)
        return display_path(path if relative.startswith("../..") else relative)
