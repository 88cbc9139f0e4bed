"""Shell completion scripts, written from the argparse parser itself, so that
a new subcommand or option completes without editing this module.

bash: subcommands, then the subcommand's options, the choices of the option
before the cursor, else file names. zsh runs the bash function through
bashcompinit (part of zsh), so it is sourced from ~/.zshrc, not autoloaded. fish: one `complete` line per subcommand/option.
"""

from __future__ import annotations

import argparse
import shlex


# argparse has no public way to list a parser's subcommands and options; its
# `_actions` and `_SubParsersAction` have been stable since Python 3.2.
def subcommands(top: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def options(command: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in command._actions if a.option_strings]


def script(top: argparse.ArgumentParser, shell: str) -> str:
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](subcommands(top))


def bash(commands: dict[str, argparse.ArgumentParser]) -> str:
    flags = "".join(_bash_flags(name, c) for name, c in commands.items())
    choices = "".join(_bash_choices(name, c) for name, c in commands.items())
    return BASH.format(commands=" ".join(commands), flags=flags, choices=choices)


def _bash_flags(name: str, command: argparse.ArgumentParser) -> str:
    """A subcommand's options; its positional choices too (completion SHELL),
    and then no file names."""
    words = [f for a in options(command) for f in a.option_strings]
    fixed = [
        c for a in command._actions if not a.option_strings for c in a.choices or ()
    ]
    plain = "; plain=1" if fixed else ""
    return f"        {name}) opts={shlex.quote(' '.join(words + fixed))}{plain} ;;\n"


def _bash_choices(name: str, command: argparse.ArgumentParser) -> str:
    """After an option with choices (--format, --to): only those words."""
    lines = []
    for action in options(command):
        words = shlex.quote(" ".join(action.choices or ()))
        lines += [
            f"        {name}:{flag}) opts={words}; plain=1 ;;\n"
            for flag in action.option_strings
            if action.choices
        ]
    return "".join(lines)


BASH = """\
# bash completion for fleetc (fleetc completion bash)
_fleetc() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
    local command="" word opts="" plain=0
    for word in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case $word in -*) ;; *) command=$word; break ;; esac
    done
    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "{commands} --help --version" -- "$cur"))
        return
    fi
    case $command in
{flags}    esac
    case $command:$prev in
{choices}    esac
    if [[ $plain == 0 && $cur != -* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}}
complete -o filenames -F _fleetc fleetc
"""


def zsh(commands: dict[str, argparse.ArgumentParser]) -> str:
    return (
        "# zsh completion for fleetc: in ~/.zshrc, source <(fleetc completion zsh)\n"
        "autoload -U +X compinit && compinit\n"
        "autoload -U +X bashcompinit && bashcompinit\n" + bash(commands)
    )


def fish(commands: dict[str, argparse.ArgumentParser]) -> str:
    lines = ["# fish completion for fleetc (fleetc completion fish)"]
    names = " ".join(commands)
    for name, command in commands.items():
        summary = shlex.quote(command.description or name)
        lines.append(
            f"complete -c fleetc -n 'not __fish_seen_subcommand_from {names}'"
            f" -f -a {name} -d {summary}"
        )
        lines += [_fish_option(name, a) for a in options(command)]
    return "\n".join(lines) + "\n"


def _fish_option(name: str, action: argparse.Action) -> str:
    line = f"complete -c fleetc -n '__fish_seen_subcommand_from {name}'"
    for flag in action.option_strings:
        line += f" -l {flag[2:]}" if flag.startswith("--") else f" -s {flag[1:]}"
    if action.choices:
        line += " -x -a " + shlex.quote(" ".join(action.choices))
    elif action.nargs != 0:
        line += " -r"
    return line
