"""`fleetc setup-git`: register fleet.lock's merge driver and mark the
generated tree in .gitattributes, so that `fleetc generate` finishes merges
(cli/git_setup.py says what and why)."""

from __future__ import annotations

from ..options import fleet_command

READS_FLEET = True
SUMMARY = "set git up to merge fleet.lock and regenerate the tree on merges"
EXAMPLES = """\
  fleetc setup-git fleet.toml             once per clone: .git/config, .gitattributes
  git add .gitattributes                  commit it: every clone merges alike"""


def arguments(sub):
    return fleet_command(sub, "setup-git", SUMMARY, many=True)


def run(args) -> int:
    # The compiler loads on use: --help and --version must not pay for it.
    from ..compiled import compile_fleet
    from ..files import EXIT_OK, usage_problem
    from ..git_setup import SetupRefused, set_up

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    try:
        changed = set_up(args.report, compiled)
    except SetupRefused as refusal:
        return usage_problem(args.report, f"setup-git: {refusal}")
    args.report.note("setup", changed)
    return EXIT_OK
