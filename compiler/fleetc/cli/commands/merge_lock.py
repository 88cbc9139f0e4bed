"""`fleetc merge-lock BASE OURS THEIRS PATH`: git's merge driver for
fleet.lock, registered by `fleetc setup-git`; not listed in `fleetc --help`
(git calls it, people do not). cli/merge_driver.py says what it does."""

from __future__ import annotations

import argparse

READS_FLEET = False
HIDDEN = True
SUMMARY = "git's merge driver for fleet.lock (registered by fleetc setup-git)"
EXAMPLES = """\
  git calls it: merge.fleetc-lock.driver = fleetc merge-lock %O %A %B %P"""


def arguments(sub):
    command = sub.add_parser("merge-lock", help=SUMMARY, description=SUMMARY)
    # Not in `fleetc --help`: argparse lists every subcommand it has a help
    # line for, and prints "==SUPPRESS==" for a suppressed one (Python < 3.13).
    sub._choices_actions = [a for a in sub._choices_actions if a.dest != "merge-lock"]
    command.add_argument("base", help="%%O: the merge base's version")
    command.add_argument("ours", help="%%A: this branch's; the result goes here")
    command.add_argument("theirs", help="%%B: the merged branch's")
    command.add_argument("path", nargs="?", default="fleet.lock", help="%%P")
    return command


def run(args: argparse.Namespace) -> int:
    """0: merged into OURS; 1: left for `fleetc generate`; 2: refused."""
    from ..files import EXIT_USAGE, fs_problem
    from ..merge_driver import SIDES, DriverRefused, driver_files
    from ..report import Report

    report = Report("text", "merge-lock")
    try:
        files = driver_files(args.base, args.ours, args.theirs, args.path)
        return _merge(report, files, SIDES)
    except DriverRefused as refusal:
        report.show([refusal.diagnostic])
        return EXIT_USAGE
    except OSError as problem:
        return fs_problem(report, "F032", "merge-lock", problem)


def _merge(report, files, sides) -> int:
    from ..files import EXIT_ERRORS, EXIT_OK
    from ..merge_driver import (
        conflicted_text,
        merge_sides,
        merged_text,
        read_side,
        write_result,
    )

    paths = (files.base, files.ours, files.theirs)
    sources = [
        read_side(p, label, files.name) for p, label in zip(paths, sides, strict=True)
    ]
    merge, problems = merge_sides(sources)
    report.show(problems)
    if merge is not None and merge.clean:
        write_result(files.ours, merged_text(merge, files.name))
        return EXIT_OK
    for line in _unfinished(merge):
        report.say(f"fleetc merge-lock: {files.name}: {line}")
    report.say(
        f"fleetc merge-lock: {files.name} left unmerged: run `fleetc generate`,"
        " which finishes the merge with the fleet file"
    )
    write_result(files.ours, conflicted_text(sources, files.name))
    return EXIT_ERRORS


def _unfinished(merge) -> list[str]:
    if merge is None:
        return ["a version is not a lock fleetc can read"]
    lines = [
        f"vm `{c.vm}`: {_what(c)} is {c.ours} on this branch and {c.theirs}"
        " on the merged branch"
        for c in merge.conflicts
    ]
    return lines + [
        f"vm `{r.vm}` and vm `{r.holder}` both have {_what(r)} {r.value}:"
        f" `{r.holder}` keeps it, `{r.vm}` needs another one"
        for r in merge.reassigned
    ]


def _what(item) -> str:
    return f"{item.network} {item.field}" if item.network else item.field
