"""`nix flake lock` over the generated flake.nix, in a scratch directory.

Nix is given only the flake.nix this fleet compiles to and the current
flake.lock, never the output directory: a `path:` flake would copy
everything in it to the store, and the output may be the repository's root.
Locking reads only the inputs (flake.nix's `inputs`), not outputs.nix.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from .build import NIX_FLAGS, NO_NIX
from .flake_lock import NAME

# `fleetc update` without names: every input anew (Nix 2.8's spelling; later
# Nix keeps it, deprecated, beside `nix flake update`).
EVERY_INPUT = ["--recreate-lock-file"]


def update_flags(names: list[str]) -> list[str]:
    """The named inputs anew, the others as pinned (`--update-input`)."""
    if not names:
        return list(EVERY_INPUT)
    return [flag for name in names for flag in ("--update-input", name)]


def lock(
    flake_nix: str, old: bytes | None, nix_args: list[str]
) -> tuple[bytes | None, str]:
    """(the new flake.lock, or None when nix failed; nix's stderr)."""
    with tempfile.TemporaryDirectory(prefix="fleetc-lock-") as scratch:
        where = Path(scratch)
        (where / "flake.nix").write_text(flake_nix, encoding="utf-8")
        if old is not None:
            (where / NAME).write_bytes(old)
        command = ["nix", "flake", "lock", *NIX_FLAGS, f"path:{where}", *nix_args]
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except FileNotFoundError:
            return None, NO_NIX + "\n"
        written = where / NAME
        if done.returncode != 0 or not written.is_file():
            return None, done.stderr
        return written.read_bytes(), done.stderr
