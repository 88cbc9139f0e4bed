"""`fleetc init`: the files a new fleet repository starts with.

- fleet.toml: one host and one VM on one network, which checks clean; every
  value fleetc can allocate is left to it;
- .gitignore: what fleetc must never have committed, its bookkeeping while it
  writes (the journal, the pending list, temporary files); the generated tree
  and fleet.lock are committed, so they are not in it;
- .pre-commit-config.yaml: fleetc's own hooks (.pre-commit-hooks.yaml).

A file that exists is kept, whatever it holds, and said so: created with
O_EXCL and O_NOFOLLOW, nothing is ever written through a link or over a file.
A fleet.fleet already there keeps fleet.toml from being written: twins that
disagree are an error (F035).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .. import __version__
from ..core import toml_text
from ..output.transaction import JOURNAL, PENDING, TEMP_SUFFIX

FLEET = """\
# A MicroVM fleet for fleetc: one fleet file in, a checked Nix flake tree out.
#   fleetc check      validate it (run from here or any folder below)
#   fleetc generate   write generated/ and fleet.lock: commit both
#   fleetc lock       pin the flake's inputs in generated/flake.lock: commit it
#   fleetc explain --list, fleetc explain F203: what a diagnostic means
# Every key: fleetc's docs/reference/keys.md; editors complete from `fleetc schema`.

[fleet]
name = {name}
# Until `fleetc lock` pins nixpkgs and microvm.nix in generated/flake.lock (it
# fetches them), each check warns that they float (F060). Once they are pinned,
# fleetc says this line can go.
allow = ["F060"]

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"

[hosts.server1]
uplink = "eno1"                      # the port the network's bridge goes out of

[vms.web]
host = "server1"
# machine-id, MAC, address and tap id are allocated, and pinned in fleet.lock
interfaces = [{{ network = "lan" }}]
"""

GITIGNORE = f"""\
# fleetc's bookkeeping while it writes: never committed (generated/ and
# fleet.lock are).
{JOURNAL}
{PENDING}
*{TEMP_SUFFIX}
"""

PRE_COMMIT = f"""\
# pre-commit (https://pre-commit.com; `pre-commit install` once): on a commit
# that changes the fleet, fleetc-check fails when it has errors or generated/
# or fleet.lock is stale; fleetc-generate instead rewrites them, like a formatter.
repos:
  - repo: https://git.example.org/fleetc
    rev: v{__version__}
    hooks:
      - id: fleetc-check
"""

# What a kept file should hold, said instead of written into it.
IGNORED = (JOURNAL, PENDING, f"*{TEMP_SUFFIX}")
KEPT = {".gitignore": f"; it should ignore {', '.join(IGNORED)}"}

_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")


def starter_files(directory: Path) -> dict[str, str]:
    """What init writes, by file name, in the order written."""
    name = directory.resolve().name.lower()
    name = name if _NAME.match(name) else "fleet"
    return {
        "fleet.toml": FLEET.format(name=toml_text.string(name)),
        ".gitignore": GITIGNORE,
        ".pre-commit-config.yaml": PRE_COMMIT,
    }


def create(path: Path, text: str) -> bool:
    """Write a new file; False (nothing written) when the name is taken, by a
    file, a directory or a link, dangling or not."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    return True


def initialise(directory: Path, say) -> None:
    """Write each starter file that is not there yet; `say` what was done."""
    for name, text in starter_files(directory).items():
        if name == "fleet.toml" and os.path.lexists(directory / "fleet.fleet"):
            say("fleetc: kept fleet.fleet; no fleet.toml written beside it")
        elif create(directory / name, text):
            say(f"fleetc: wrote {shown(directory / name)}")
        else:
            say(
                f"fleetc: kept {shown(directory / name)} (it exists){KEPT.get(name, '')}"
            )
    say("next: fleetc check, then fleetc generate; commit what they write")


def shown(path: Path) -> str:
    return os.path.relpath(path)
