"""Examples shown at the end of each subcommand's --help: what a newcomer types."""

from __future__ import annotations

EXAMPLES = {
    "check": """\
  fleetc check fleet.toml                 validate; exit 1 on errors
  fleetc check fleet.toml --locked        and fail if fleet.lock would change
  fleetc check a/fleet.toml b/fleet.fleet --format github""",
    "generate": """\
  fleetc generate fleet.toml              write generated/ and fleet.lock
  fleetc generate fleet.toml --check      CI: exit 1 and show the diff if stale
  fleetc generate fleet.toml --out /srv/flake/generated""",
    "diff": """\
  fleetc diff fleet.toml                  what generate would change
  fleetc diff fleet.toml --locked         and fail if fleet.lock would change
  fleetc diff fleet.toml | less -R""",
    "build": """\
  fleetc build fleet.toml                 every VM runner and host toplevel
  fleetc build fleet.toml web db          only these VMs or hosts
  fleetc build fleet.toml --out DIR web   options may come between names
  fleetc build fleet.toml -- --override-input nixpkgs ~/src/nixpkgs""",
    "lock": """\
  fleetc lock fleet.toml                  pin new inputs, drop removed ones; keep the rest
  git add generated/flake.lock            commit it: every build uses it as it is""",
    "update": """\
  fleetc update fleet.toml                every input to its newest revision
  fleetc update fleet.toml nixpkgs        only nixpkgs (old -> new is printed)""",
    "convert": """\
  fleetc convert fleet.toml --to fleet -o fleet.fleet
  fleetc convert fleet.fleet --to toml    print the TOML on stdout""",
    "plan": """\
  fleetc plan fleet.toml                  per host: + added ~ changed - removed > moved
  fleetc plan fleet.toml --detailed-exitcode   CI: exit 1 when anything would change
  fleetc plan fleet.toml --format json    the same as data""",
    "graph": """\
  fleetc graph fleet.toml                 a mermaid picture (renders in review)
  fleetc graph fleet.toml --format svg > fleet.svg   needs Graphviz's dot
  fleetc graph fleet.toml --format dot | dot -Tpng > fleet.png""",
    "schema": """\
  fleetc schema > fleet.schema.json
  then start fleet.toml with:  #:schema ./fleet.schema.json""",
    "explain": """\
  fleetc explain F203                     duplicate IPv4 address: why, and the fix
  fleetc explain f805""",
    "completion": """\
  fleetc completion bash > ~/.local/share/bash-completion/completions/fleetc
  source <(fleetc completion zsh)          in ~/.zshrc
  fleetc completion fish > ~/.config/fish/completions/fleetc.fish""",
}
