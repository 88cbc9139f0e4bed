"""Comparing the tree on disk with the tree fleetc would write."""

from __future__ import annotations

import difflib
from pathlib import Path

from .writer import MANIFEST, Tree, manifest_text, read_manifest


def desired(files: dict[str, str]) -> dict[str, str]:
    return {**files, MANIFEST: manifest_text(files)}


def on_disk(out_dir: Path, names: set[str]) -> dict[str, str]:
    """The current text of every file fleetc owns or would write, read as the
    writer reads it: a symbolic link at or above a name is refused (F040),
    never followed, so a diff shows nothing from outside the tree."""
    tree, found = Tree(out_dir), {}
    for name in names:
        data = tree.read(name, wanted=False)
        if data is not None:
            found[name] = _text(data)
    return found


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""  # not what fleetc wrote: the diff replaces all of it


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
