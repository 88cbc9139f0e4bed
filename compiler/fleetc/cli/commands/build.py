"""`fleetc build`: generate, then one nix build of runners and hosts."""

from __future__ import annotations

from ..options import fleet_command, force, locked

READS_FLEET = True
SUMMARY = "generate, then one nix build of runners and hosts"
EXAMPLES = """\
  fleetc build fleet.toml                 every VM runner and host toplevel
  fleetc build fleet.toml web db          only these VMs or hosts
  fleetc build fleet.toml --out DIR web   options may come between names
  fleetc build fleet.toml -- --override-input nixpkgs ~/src/nixpkgs"""


def arguments(sub):
    command = fleet_command(sub, "build", SUMMARY)
    command.add_argument(
        "names", nargs="*", metavar="NAME", help="only these VMs or hosts"
    )
    command.epilog = (
        "Arguments after `--` go to nix unchanged, e.g. -- --override-input nixpkgs ..."
    )
    force(command)
    locked(command)
    return command


def run(args) -> int:
    # nix, staging and the compiler load on use: only `fleetc build` needs them.
    from ..building import build_compiled
    from ..compiled import compile_fleet

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    return build_compiled(args, compiled)
