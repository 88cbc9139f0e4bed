"""Comparing the tree on disk with the tree fleetc would write.

The diff users review (`fleetc diff`, `generate --check`) leaves out
.fleetc-manifest.json while the set of files fleetc owns stays the same: its
hashes change with every edit of every file, and say nothing the other hunks
do not. It is shown, whole, when a file is added to or removed from the tree.
Staleness (`generate --check`) still compares the manifest too. Each file is
read once, compared byte for byte, and only the texts that differ are kept
(`changes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .owner import Owner
from .transaction import READ_LIMIT, READ_LIMIT_SHOWN, WriteRefused
from .tree import Tree
from .tree_merge import TreeMerge
from .manifest_file import manifest_text, owned_files
from .transaction import MANIFEST


def desired(files: dict[str, str], owner: Owner | None = None) -> dict[str, str]:
    return {**files, MANIFEST: manifest_text(files, owner)}


def on_disk(out_dir: Path, names: set[str]) -> dict[str, str]:
    """The current text of every file fleetc owns or would write, read as the
    writer reads it: a symbolic link at or above a name is refused (F040),
    never followed, so a diff shows nothing from outside the tree; read up to
    READ_LIMIT: a larger file (a planted gigabyte) is refused, not read whole."""
    tree, found = Tree(out_dir), {}
    for name in names:
        data = tree.read(name, wanted=False, limit=READ_LIMIT)
        if data is not None:
            found[name] = _text(_within_limit(tree, name, data))
    return found


def _within_limit(tree: Tree, name: str, data: bytes) -> bytes:
    if len(data) <= READ_LIMIT:
        return data
    raise WriteRefused(
        f"{tree.out_dir / name} is larger than {READ_LIMIT_SHOWN}:"
        " not a file fleetc wrote",
        "restore the generated tree from git, or run `fleetc generate`",
    )


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""  # not what fleetc wrote: the diff replaces all of it


@dataclass(frozen=True)
class TreeChanges:
    """Where the tree on disk is not the tree fleetc would write: name -> (its
    text on disk, None when absent; the text fleetc would write, None when it
    would remove it). Only these texts are kept (the tree is 34 MB at 10,000
    VMs); `owned_set_changes`: a file is added to or removed from the tree."""

    differing: dict[str, tuple[str | None, str | None]]
    owned_set_changes: bool


def changes(
    out_dir: Path,
    files: dict[str, str],
    owner: Owner | None = None,
    merge: TreeMerge | None = None,
) -> TreeChanges:
    """Every name fleetc owns or would write, read once, as the writer reads
    it; `merge`: a git merge in progress in the tree (tree_merge.py)."""
    wanted = desired(files, owner)
    owned = _owned(out_dir, merge)
    tree, differing = Tree(out_dir), {}
    for name in sorted(set(wanted) | set(owned) | {MANIFEST}):
        # Bounded: a planted file of gigabytes is stale, not read whole.
        data = tree.read(name, wanted=False, limit=READ_LIMIT)
        new = wanted.get(name)
        if data != (None if new is None else new.encode()):  # byte for byte
            differing[name] = (None if data is None else _text(data), new)
    return TreeChanges(differing, set(owned) != set(files))


def _owned(out_dir: Path, merge: TreeMerge | None) -> dict:
    """What read_manifest gives, or in a merge what the writer owns."""
    if not out_dir.is_dir():
        return {}
    data = Tree(out_dir).read(MANIFEST, wanted=False, limit=READ_LIMIT)
    return owned_files(out_dir, data, merge).files


def diff_of(found: TreeChanges, shown_as: str) -> str:
    """`found` as a unified diff, paths shown under `shown_as`; the manifest
    only when the set of owned files changes (module docstring)."""
    chunks = []
    for name, (old, new) in found.differing.items():
        if name == MANIFEST and not found.owned_set_changes:
            continue
        label = f"{shown_as}/{name}" if shown_as not in ("", ".") else name
        chunks += _unified_diff(old, new, label)
    return "".join(chunks)


def _unified_diff(old: str | None, new: str | None, label: str) -> list[str]:
    """difflib loads here: an up-to-date tree (most pre-commit runs) has no
    diff to show."""
    import difflib

    return list(
        difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            (new or "").splitlines(keepends=True),
            fromfile="/dev/null" if old is None else f"a/{label}",
            tofile="/dev/null" if new is None else f"b/{label}",
        )
    )
