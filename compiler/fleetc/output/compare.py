"""Comparing the tree on disk with the tree fleetc would write.

The diff users review (`fleetc diff`, `generate --check`) leaves out
.fleetc-manifest.json while the set of files fleetc owns stays the same: its
hashes change with every edit of every file, and say nothing the other hunks
do not. It is shown, whole, when a file is added to or removed from the tree.
Staleness (`is_stale`) still compares the manifest too.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .owner import Owner
from .transaction import READ_LIMIT
from .tree_merge import TreeMerge
from .tree import Tree
from .writer import MANIFEST, manifest_text, owned_files


def desired(files: dict[str, str], owner: Owner | None = None) -> dict[str, str]:
    return {**files, MANIFEST: manifest_text(files, owner)}


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


def compared(
    out_dir: Path,
    files: dict[str, str],
    owner: Owner | None = None,
    merge: TreeMerge | None = None,
):
    """(every name fleetc owns or would write, what is on disk, what it would
    write); `merge`: a git merge in progress in the tree (tree_merge.py)."""
    wanted = desired(files, owner)
    owned = _owned(out_dir, merge)
    names = set(wanted) | set(owned) | {MANIFEST}
    return names, on_disk(out_dir, names), wanted, set(owned) != set(files)


def _owned(out_dir: Path, merge: TreeMerge | None) -> dict:
    """What read_manifest gives, or in a merge what the writer owns."""
    if not out_dir.is_dir():
        return {}
    data = Tree(out_dir).read(MANIFEST, wanted=False, limit=READ_LIMIT)
    return owned_files(out_dir, data, merge).files


def is_stale(
    out_dir: Path,
    files: dict[str, str],
    owner: Owner | None = None,
    merge: TreeMerge | None = None,
) -> bool:
    """Whether generate would change anything in the tree, manifest included."""
    names, current, wanted, _ = compared(out_dir, files, owner, merge)
    return any(current.get(name) != wanted.get(name) for name in names)


def unified_diff(
    out_dir: Path,
    files: dict[str, str],
    shown_as: str,
    owner: Owner | None = None,
    merge: TreeMerge | None = None,
) -> str:
    """A unified diff, old tree to new, with paths shown under `shown_as`; the
    manifest only when the set of owned files changes (module docstring)."""
    names, current, wanted, owned_set_changes = compared(out_dir, files, owner, merge)
    if not owned_set_changes:
        names = names - {MANIFEST}
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
