"""`fleetc update`: pin all or the named inputs anew, old -> new (cli/locking.py)."""

from __future__ import annotations

from ..options import fleet_command

READS_FLEET = True
SUMMARY = "update all or the named inputs in flake.lock, old -> new"
EXAMPLES = """\
  fleetc update fleet.toml                every input to its newest revision
  fleetc update fleet.toml nixpkgs        only nixpkgs (old -> new is printed)"""


def arguments(sub):
    command = fleet_command(sub, "update", SUMMARY)
    command.add_argument(
        "inputs", nargs="*", metavar="INPUT", help="only these inputs (default: all)"
    )
    command.epilog = "Arguments after `--` go to `nix flake lock` unchanged."
    return command


def run(args) -> int:
    # nix and the compiler load on use: --help and --version must not pay for it.
    from ..locking import pin

    return pin(args, list(args.inputs))
