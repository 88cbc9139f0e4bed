"""`fleetc explain CODE`: what a diagnostic code means, an example, the fix."""

from __future__ import annotations

READS_FLEET = False
SUMMARY = "what a diagnostic code means, with an example and the fix"
EXAMPLES = """\
  fleetc explain F203                     duplicate IPv4 address: why, and the fix
  fleetc explain f805"""


def arguments(sub):
    description = "Explain a diagnostic code (F203, ...): meaning, example, fix."
    command = sub.add_parser("explain", help=SUMMARY, description=description)
    command.add_argument("code", metavar="CODE", help="e.g. F203")
    return command


def run(args) -> int:
    # The texts load on use: --help and --version must not pay for them.
    from ...core.explanations import explanation
    from ..files import EXIT_USAGE
    from ..report import Report

    report = Report("text", "explain")
    found = explanation(args.code.upper())
    if found is None:
        report.say(f"fleetc: no diagnostic code {args.code}; codes look like F203")
        return EXIT_USAGE
    report.data("explanation", found)
    return 0
