"""`fleetc diff`: show what generate would change (exit 0)."""

from __future__ import annotations

from ..options import fleet_command, locked

READS_FLEET = True
SUMMARY = "show what generate would change (exit 0)"
EXAMPLES = """\
  fleetc diff fleet.toml                  what generate would change
  fleetc diff fleet.toml --locked         and fail if fleet.lock would change
  fleetc diff fleet.toml | less -R"""


def arguments(sub):
    command = fleet_command(sub, "diff", SUMMARY)
    locked(command)
    return command


def run(args) -> int:
    # The compiler loads on use: --help and --version must not pay for it.
    from ..compiled import EXIT_OK, compile_fleet, diff_text, refuse_lock_change
    from ..pinned import say_inputs

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(args.report, compiled)
    args.report.data("diff", diff_text(compiled))
    say_inputs(args, compiled)  # what the next `fleetc lock` changes
    return EXIT_OK
