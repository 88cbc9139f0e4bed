"""Comparing the tree on disk with the tree fleetc would write."""

from __future__ import annotations

import difflib
from pathlib import Path

from .writer import MANIFEST, manifest_text, read_manifest


def desired(files: dict[str, str]) -> dict[str, str]:
    return {**files, MANIFEST: manifest_text(files)}


def on_disk(out_dir: Path, names: set[str]) -> dict[str, str]:
    """The current text of every file fleetc owns or would write."""
    found = {}
    for name in names:
        try:
            found[name] = (out_dir / name).read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            pass
        except (OSError, UnicodeDecodeError):
            found[name] = ""
    return found


def unified_diff(out_dir: Path, files: dict[str, str], shown_as: str) -> str:
    """A unified diff, old tree to new, with paths shown under `shown_as`."""
    wanted = desired(files)
    names = set(wanted) | set(read_manifest(out_dir)) | {MANIFEST}
    current = on_disk(out_dir, names)
    chunks = []
    for name in sorted(names):
        old, new = current.get(name), wanted.get(name)
        if old == new:
            continue
        label = f"{shown_as}/{name}" if shown_as not in ("", ".") else name
        chunks += difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            (new or "").splitlines(keepends=True),
            fromfile="/dev/null" if old is None else f"a/{label}",
            tofile="/dev/null" if new is None else f"b/{label}",
        )
    return "".join(chunks)
