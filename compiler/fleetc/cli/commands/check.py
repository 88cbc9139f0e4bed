"""`fleetc check`: validate the fleet; exit 1 on errors."""

from __future__ import annotations

from ..options import fleet_command, locked

READS_FLEET = True
SUMMARY = "validate the fleet; exit 1 on errors, else one line of counts"
EXAMPLES = """\
  fleetc check fleet.toml                 validate; exit 1 on errors
  fleetc check fleet.toml --locked        and fail if fleet.lock would change
  fleetc check a/fleet.toml b/fleet.fleet --format github"""


def arguments(sub):
    command = fleet_command(sub, "check", SUMMARY, many=True)
    locked(command)
    return command


def run(args) -> int:
    # The compiler loads on use: --help and --version must not pay for it.
    from ..compiled import EXIT_OK, compile_fleet, refuse_lock_change

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(args.report, compiled)
    if args.format != "json":  # JSON: stdout says it all, stderr stays quiet
        args.report.say(summary(args.fleet, compiled.result))
    args.report.note("acknowledged", len(compiled.result.acknowledged))
    return EXIT_OK


def summary(fleet, result) -> str:
    """The line a clean check ends with: `fleetc: fleet.toml: 2 hosts, 5 VMs,
    0 warnings`, and how many the fleet acknowledges (`allow`)."""
    from ...core.source import display_path

    warnings = sum(not d.is_error for d in result.diagnostics)
    counts = [
        counted(len(result.fleet.hosts), "host"),
        counted(len(result.fleet.vms), "VM"),
        counted(warnings, "warning"),
    ]
    line = f"fleetc: {display_path(fleet)}: {', '.join(counts)}"
    if result.acknowledged:
        line += f" ({len(result.acknowledged)} acknowledged)"
    return line


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
