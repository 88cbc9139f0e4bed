"""The reference, generated from the code: docs/reference/keys.md (the
schema), commands.md (the parser), codes.md (`fleetc explain`'s data) and
the man page fleetc.1 (commands and codes).

    python -m fleetc.cli.reference docs/reference          write them (`make docs`)
    python -m fleetc.cli.reference docs/reference --check  exit 1 when one is stale

tests/docs/test_reference.py holds the committed pages equal to what this
writes, so a key, command or code missing from the reference fails a test."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import __version__
from ..core.diagnostics import CODES
from ..core.explanations import texts
from . import reference_commands, reference_keys

CODES_HEAD = """\
# fleetc's diagnostic codes

Generated from `fleetc explain`'s data by `make docs`; do not edit. Every
code fleetc reports, what it means, an example that gives it, and the fix:
the same text as `fleetc explain CODE`. Codes are stable: never renumbered,
only added. A warning can be acknowledged in the fleet file by its code
(`allow = ["F920"]`, in `[fleet]` or in a VM).
"""


def pages() -> dict[str, str]:
    """Each page of the reference, by file name."""
    return {
        "keys.md": reference_keys.page(),
        "commands.md": reference_commands.page(),
        "codes.md": codes_page(),
        "fleetc.1": man_page(),
    }


def codes_page() -> str:
    return CODES_HEAD + "".join(code_section(code) for code in CODES)


def code_section(code: str) -> str:
    entry = texts()[code]
    return (
        f"\n## {code}: {CODES[code]}\n\n{entry['means']}\n\n"
        f"```\n{entry['example'].strip(chr(10))}\n```\n\nFix: {entry['fix']}\n"
    )


def man_page() -> str:
    """fleetc(1): the commands with their options, the exit codes, the codes."""
    lines = [
        f'.TH FLEETC 1 "" "fleetc {__version__}" "User Commands"',
        ".SH NAME",
        r"fleetc \- compile a MicroVM fleet into a checked Nix flake tree",
        ".SH SYNOPSIS",
        r".B fleetc",
        r"\fICOMMAND\fR [\fIOPTIONS\fR] [\fIFLEET\fR]",
        ".SH DESCRIPTION",
        roff(
            "fleetc reads one fleet file (fleet.toml, or the compact .fleet DSL)"
            " describing hosts, microvm.nix MicroVMs and networks, checks the"
            " whole fleet, pins the values it allocates in fleet.lock, and writes"
            " a flake tree (generated/) for nixos-rebuild, deploy-rs, colmena or"
            " microvm -u. Where FLEET is left out, fleetc uses fleet.toml (else"
            " fleet.fleet) of the current directory or the nearest parent."
        ),
        ".SH COMMANDS",
    ]
    for found in reference_commands.commands():
        lines += man_command(found)
    lines += man_tail()
    return "\n".join(lines) + "\n"


def man_command(found: reference_commands.Command) -> list[str]:
    lines = [".SS " + roff(f"fleetc {found.name}"), roff(found.description)]
    for option in found.options:
        lines += [".TP", r"\fB" + roff(option.names) + r"\fR", roff(option.help)]
    return lines


def man_tail() -> list[str]:
    lines = [
        ".SH EXIT STATUS",
        roff("0 ok; 1 the fleet has errors or the tree is stale; 2 usage or I/O"),
        roff("error; 3 nix failed."),
        ".SH DIAGNOSTICS",
        roff("Each problem has a stable code; fleetc explain CODE says more."),
    ]
    for code, title in CODES.items():
        lines += [".TP", r"\fB" + code + r"\fR", roff(title)]
    lines += [".SH SEE ALSO", roff("docs/README.md in fleetc's repository.")]
    return lines


def roff(text: str) -> str:
    """Text as a roff line: backslashes escaped, no line read as a request."""
    escaped = text.replace("\\", r"\e").replace("-", r"\-")
    return r"\&" + escaped if escaped.startswith((".", "'")) else escaped


def write(directory: Path) -> list[str]:
    """Write every page that differs; the names of those written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pages().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(name)
    return written


def stale(directory: Path) -> list[str]:
    """The pages whose committed text is not what the code gives now."""
    found = []
    for name, text in pages().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            found.append(name)
    return found


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [arg for arg in argv if arg != "--check"]
    if len(paths) != 1:
        print("usage: python -m fleetc.cli.reference DIR [--check]", file=sys.stderr)
        return 2
    directory = Path(paths[0])
    if check:
        names = stale(directory)
        for name in names:
            print(f"{directory / name} is stale: run `make docs`", file=sys.stderr)
        return 1 if names else 0
    for name in write(directory):
        print(f"wrote {directory / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
