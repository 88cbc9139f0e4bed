"""`fleetc lock`: pin the generated flake's inputs in flake.lock (cli/locking.py)."""

from __future__ import annotations

from ..options import fleet_command

READS_FLEET = True
SUMMARY = "pin the flake's inputs in flake.lock (nix flake lock)"
EXAMPLES = """\
  fleetc lock fleet.toml                  pin new inputs, drop removed ones; keep the rest
  git add generated/flake.lock            commit it: every build uses it as it is"""


def arguments(sub):
    command = fleet_command(sub, "lock", SUMMARY)
    command.epilog = "Arguments after `--` go to `nix flake lock` unchanged."
    return command


def run(args) -> int:
    # nix and the compiler load on use: --help and --version must not pay for it.
    from ..locking import pin

    return pin(args, None)
