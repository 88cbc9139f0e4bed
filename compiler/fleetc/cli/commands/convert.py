"""`fleetc convert`: the fleet in the other input format."""

from __future__ import annotations

from pathlib import Path

from ..options import fleet_command

READS_FLEET = True
SUMMARY = "translate the fleet to the other input format"
EXAMPLES = """\
  fleetc convert fleet.toml --to fleet -o fleet.fleet
  fleetc convert fleet.fleet --to toml    print the TOML on stdout"""


def arguments(sub):
    command = fleet_command(sub, "convert", SUMMARY, out=False)
    command.add_argument("--to", choices=("toml", "fleet"), required=True)
    command.add_argument(
        "-o", "--output", type=Path, help="write here (default: stdout)"
    )
    return command


def run(args) -> int:
    # The frontends load on use: --help and --version must not pay for them.
    from ..converting import convert

    return convert(args)
