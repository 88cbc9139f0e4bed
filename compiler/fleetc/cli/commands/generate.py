"""`fleetc generate`: write the generated tree and fleet.lock (or, with
--check, say whether they are stale)."""

from __future__ import annotations

from ..options import fleet_command, force, forget, locked

READS_FLEET = True
SUMMARY = "write the generated tree and fleet.lock"
EXAMPLES = """\
  fleetc generate fleet.toml              write generated/ and fleet.lock
  fleetc generate fleet.toml --check      CI: exit 1 and show the diff if stale
  fleetc generate --check --staged fleet.lock   pre-commit: is what is staged current?
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
    command.add_argument(
        "--staged",
        action="store_true",
        help="for pre-commit: FLEET may be any staged path (fleet.lock, a module,"
        " a generated file: its fleets are checked), and what is staged must be"
        " what fleetc writes",
    )
    force(command)
    locked(command)
    forget(command)
    return command


def run(args) -> int:
    # The compiler loads on use: --help and --version must not pay for it.
    from ..compiled import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, compile_fleet
    from ..pinned import pins_checked

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.check:  # the tree and fleet.lock, then flake.lock against the inputs
        return max(tree_checked(args, compiled), pins_checked(args, compiled))
    from ..writing import write_outputs  # the writer: --check does not load it

    code, changed = write_outputs(args, compiled)
    if code == EXIT_OK and changed and args.fail_if_changed:
        args.report.say("fleetc: generated files changed; review and commit them")
        code = EXIT_ERRORS
    if code != EXIT_USAGE and args.staged:
        from ..staged_check import after_write

        code = max(code, after_write(args.report, compiled))
    return code


def tree_checked(args, compiled) -> int:
    """The tree and fleet.lock against the compiled ones: on disk, or with
    --staged as git's index holds them (only then is the index read)."""
    if not args.staged:
        from ..compiled import stale_check

        return stale_check(args.report, compiled)
    from ..staged_check import staged_check

    return staged_check(args.report, compiled)
