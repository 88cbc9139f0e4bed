"""`fleetc plan`: per host, the VMs the next generate adds, moves, changes."""

from __future__ import annotations

from pathlib import Path

from ..options import fleet_command, forget

READS_FLEET = True
SUMMARY = "show, per host, the VMs the next generate adds, moves, changes"
EXAMPLES = """\
  fleetc plan fleet.toml                  per host: + added ~ changed - removed > moved
  fleetc plan fleet.toml --detailed-exitcode   CI: exit 1 when anything would change
  fleetc plan fleet.toml --format json    the same as data"""


def arguments(sub):
    command = fleet_command(sub, "plan", SUMMARY)
    command.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 1 when anything would change (0: nothing would)",
    )
    forget(command)
    return command


def run(args) -> int:
    # The compiler loads on use: --help and --version must not pay for it.
    from ...review.plan import make_plan
    from ...review.plan_render import plan_json, plan_text
    from ..compiled import EXIT_ERRORS, EXIT_OK, compile_fleet, diff_text, lock_of
    from ..deploying import plan_tail

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    result = compiled.result
    # In a git merge, the plan is against the current branch's lock.
    merge = result.merge
    old = merge.ours if merge else lock_of(compiled.old_lock)
    new = lock_of(result.lock_text)
    before = _reader(compiled.out_dir)
    merged = merge.reassigned if merge else ()
    plan = make_plan(result.fleet, old, new, before, result.files.get, merged)
    tail, tail_data = plan_tail(args, compiled)  # inputs, then the deploy order
    if args.format == "json":
        args.report.note("plan", plan_json(plan) | tail_data)
    else:
        args.report.data("plan", plan_text(plan) + tail)
    would_change = plan.changes or bool(diff_text(compiled))
    args.report.note("would_change", would_change)
    return EXIT_ERRORS if args.detailed_exitcode and would_change else EXIT_OK


def _reader(out_dir: Path):
    """A generated file's text as the writer reads it (output.tree.Tree: a
    regular file, no link on the way), so that plan shows nothing from elsewhere."""
    from ...output.tree import Tree
    from ...output.writer import WriteRefused

    tree = Tree(out_dir)

    def read(relative: str) -> str | None:
        try:
            data = tree.read(relative, wanted=False)
            return None if data is None else data.decode("utf-8")
        except (OSError, UnicodeDecodeError, WriteRefused):  # no usable "before"
            return None

    return read
