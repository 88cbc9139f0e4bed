"""`fleetc check`: validate the fleet; exit 1 on errors."""

from __future__ import annotations

from ..options import fleet_command, locked

READS_FLEET = True
SUMMARY = "validate the fleet; exit 1 on errors"
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
    from ..compiled import compile_fleet, refuse_lock_change
    from ..pinned import pins_checked

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(args.report, compiled)
    return pins_checked(args, compiled)  # flake.lock against the inputs
