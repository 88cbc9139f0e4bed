"""`fleetc generate`: write the generated tree and fleet.lock (or, with
--check, say whether they are stale)."""

from __future__ import annotations

from ..options import fleet_command, force, forget, locked

READS_FLEET = True
SUMMARY = "write the generated tree and fleet.lock"
EXAMPLES = """\
  fleetc generate fleet.toml              write generated/ and fleet.lock
  fleetc generate fleet.toml --check      CI: exit 1 and show the diff if stale
  fleetc generate fleet.toml --out /srv/flake/generated"""


def arguments(sub):
    command = fleet_command(sub, "generate", SUMMARY, many=True)
    command.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and show a diff if the tree or lock is stale",
    )
    command.add_argument(
        "--fail-if-changed",
        action="store_true",
        help="write, but exit 1 when anything changed (for pre-commit, like a formatter)",
    )
    force(command)
    locked(command)
    forget(command)
    return command


def run(args) -> int:
    # The compiler loads on use: --help and --version must not pay for it.
    from ..compiled import EXIT_ERRORS, EXIT_OK, compile_fleet, stale_check
    from ..pinned import pins_checked
    from ..writing import write_outputs

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.check:  # the tree and fleet.lock, then flake.lock against the inputs
        return max(stale_check(args.report, compiled), pins_checked(args, compiled))
    code, changed = write_outputs(args, compiled)
    if code == EXIT_OK and changed and args.fail_if_changed:
        args.report.say("fleetc: generated files changed; review and commit them")
        return EXIT_ERRORS
    return code
