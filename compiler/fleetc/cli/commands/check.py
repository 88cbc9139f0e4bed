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
    from ..pinned import pins_checked

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(args.report, compiled)
    code = pins_checked(args, compiled)  # flake.lock against the inputs
    if code == EXIT_OK and args.format != "json":  # JSON: stdout says it all
        args.report.say(summary(args, compiled.result))
    return code


def summary(args, result) -> str:
    """The line a clean check ends with: `fleetc: fleet.toml: 2 hosts, 5 VMs,
    0 warnings`, and how many the fleet acknowledges (`allow`): those of the
    compile and of flake.lock's pins."""
    from ...core.source import display_path

    counts = [
        counted(len(result.fleet.hosts), "host"),
        counted(len(result.fleet.vms), "VM"),
        counted(args.report.warnings_shown(), "warning"),
    ]
    line = f"fleetc: {display_path(args.fleet)}: {', '.join(counts)}"
    acknowledged = args.report.fleet.get("acknowledged", 0)
    return line + (f" ({acknowledged} acknowledged)" if acknowledged else "")


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
