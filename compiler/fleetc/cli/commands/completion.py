"""`fleetc completion`: a shell completion script, written from the parser."""

from __future__ import annotations

READS_FLEET = False
SUMMARY = "print a shell completion script (bash, zsh, fish)"
SHELLS = ("bash", "zsh", "fish")
EXAMPLES = """\
  fleetc completion bash > ~/.local/share/bash-completion/completions/fleetc
  source <(fleetc completion zsh)          in ~/.zshrc
  fleetc completion fish > ~/.config/fish/completions/fleetc.fish"""


def arguments(sub):
    description = "Print a completion script for your shell."
    command = sub.add_parser("completion", help=SUMMARY, description=description)
    command.add_argument("shell", choices=SHELLS)
    return command


def run(args) -> int:
    from ..completion import script
    from ..main import parser
    from ..report import Report

    Report("text", "completion").data("script", script(parser(), args.shell))
    return 0
