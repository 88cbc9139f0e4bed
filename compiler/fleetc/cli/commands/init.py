"""`fleetc init`: a starter fleet.toml, .gitignore and pre-commit config."""

from __future__ import annotations

from pathlib import Path

READS_FLEET = False
SUMMARY = "write a starter fleet.toml, .gitignore and pre-commit config"
EXAMPLES = """\
  fleetc init                             in the current directory
  fleetc init ops/fleet                   in an existing directory
  fleetc init && fleetc check             the starter checks clean"""


def arguments(sub):
    description = (
        "Write a starter fleet.toml (one host, one VM), .gitignore entries for"
        " fleetc's bookkeeping and a .pre-commit-config.yaml with fleetc's hooks."
        " A file that exists is kept, never overwritten."
    )
    command = sub.add_parser("init", help=SUMMARY, description=description)
    command.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="an existing directory (default: the current one)",
    )
    return command


def run(args) -> int:
    # The writer loads on use: --help and --version must not pay for it.
    from ..files import EXIT_OK, fs_problem, usage_problem
    from ..report import Report
    from ..starting import initialise

    report = Report("text", "init")
    if not args.directory.is_dir():
        return usage_problem(report, f"no directory {args.directory}: create it first")
    try:
        initialise(args.directory, report.say)
    except OSError as problem:
        return fs_problem(report, "F031", "cannot write", problem)
    return EXIT_OK
