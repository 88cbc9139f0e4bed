"""Writing the generated tree: exactly the files fleetc owns, each replaced atomically.

The tree carries a manifest (`.fleetc-manifest.json`) naming every file fleetc
wrote, with its hash. fleetc owns those files and nothing else, wherever the
output directory is (its own folder, the repository root, a symlink to
elsewhere): it looks only at the paths it will write and the paths the old
manifest names, never scans or copies the directory, and never moves, removes
or follows anything else (foreign files, empty directories, `.git`, links).

A run first plans, refusing before anything is touched: a generated file that
would replace a file fleetc does not own, or one edited by hand since it was
written (unless forced), or a symbolic link at or above an owned path. Then the
files that differ, the manifest and fleet.lock are written as one transaction
(`journal.py`): a kill at any instant leaves each file old or new and the next
run completes the change. A run that changes nothing writes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import transaction as journal
from .exclusive import exclusive
from .manifest_file import manifest_of, owned_files
from .owner import Owner, refuse_another_fleet
from .transaction import MANIFEST, READ_LIMIT, Change, WriteRefused
from .tree import Tree, digest
from .tree_merge import TreeMerge


@dataclass(frozen=True)
class WriteReport:
    """What one write did to the tree and the lock."""

    written: int
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    lock_changed: bool = False


@dataclass(frozen=True)
class LockFile:
    """fleet.lock, written in the same transaction as the tree."""

    path: Path
    text: str


def write_tree(
    out_dir: Path,
    files: dict[str, str],
    force: bool = False,
    lock: LockFile | None = None,
    owner: Owner | None = None,
    merge: TreeMerge | None = None,
) -> WriteReport:
    """Make the owned files (and fleet.lock) exactly `files`, touching nothing
    else; `owner`: the fleet writing them (None: no owner is named or checked);
    `merge`: a git merge in progress in the tree (tree_merge.py)."""
    with exclusive(out_dir, lock.path if lock else None):
        change, report = plan(out_dir, files, force, lock, owner, merge)
        if change:
            journal.commit(out_dir, change)
    return report


def plan(
    out_dir: Path,
    files: dict[str, str],
    force: bool,
    lock: LockFile | None,
    owner: Owner | None = None,
    merge: TreeMerge | None = None,
) -> tuple[Change, WriteReport]:
    """What must change; refuses (WriteRefused) before anything is touched."""
    tree = Tree(out_dir)
    old_manifest = tree.read(MANIFEST, wanted=True, limit=READ_LIMIT)
    manifest = owned_files(out_dir, old_manifest, merge)
    if not force:
        refuse_another_fleet(out_dir, manifest.fleet, owner)
    owned, change = manifest.files, Change()
    unmerged = merge.unmerged if merge else frozenset()
    digests = {name: digest(text) for name, text in sorted(files.items())}
    for name, text in sorted(files.items()):
        overwrite = force or name in unmerged
        _plan_file(tree, owned, name, text, digests[name], overwrite, change)
    for name in sorted(owned.keys() - files.keys() - {MANIFEST}):
        _plan_removal(tree, owned, name, force or name in unmerged, change)
    new_manifest = manifest_of(digests, owner)
    if old_manifest != new_manifest.encode():
        change.writes[MANIFEST] = new_manifest
    lock_changed = lock is not None and _plan_lock(lock, change)
    change.new_dirs = sorted(tree.new_dirs, key=lambda d: (d.count("/"), d))
    change.prune = _prune_order(change.unlinks)
    changed = tuple(sorted(change.writes.keys() & files.keys()))
    removed = tuple(sorted(change.unlinks))
    return change, WriteReport(len(files), changed, removed, lock_changed)


def _plan_file(tree, owned, name: str, text: str, new_hash: str, force, change):
    """A file on disk is compared with `text` by hash, which the hand-edit
    check takes anyway, each read a piece at a time: neither is ever held
    whole as bytes (flake.nix is 6 MB at 10,000 VMs: it was a no-op's peak)."""
    current_hash = tree.hash(name, wanted=True)
    if current_hash is None:
        change.writes[name] = text
        return
    if name not in owned:
        raise WriteRefused(
            f"{tree.out_dir / name} exists and was not written by fleetc",
            "move it away (or choose another output directory with --out)",
        )
    _refuse_hand_edit(tree, name, current_hash, owned[name], force)
    if current_hash != new_hash:
        change.writes[name] = text


def _plan_removal(tree, owned, name: str, force: bool, change) -> None:
    current_hash = tree.hash(name, wanted=False)
    if current_hash is not None:
        _refuse_hand_edit(tree, name, current_hash, owned[name], force)
        change.unlinks[name] = current_hash


def _refuse_hand_edit(tree, name: str, current_hash: str, expected, force) -> None:
    """`expected`: a hash, or in a merge the set of hashes either branch wrote."""
    if force or current_hash == expected:
        return
    if not isinstance(expected, frozenset) or current_hash not in expected:
        raise WriteRefused(
            f"{tree.out_dir / name} was edited by hand since fleetc wrote it",
            "move the change into the fleet file or a module, "
            "or pass --force to discard it",
        )


def _plan_lock(lock: LockFile, change: Change) -> bool:
    path = Path(os.path.abspath(lock.path))
    tree = Tree(path.parent)
    current = tree.hash(path.name, wanted=True)
    if current == digest(lock.text):
        return False
    change.writes[str(path)] = lock.text
    return True


def _prune_order(removed: dict[str, str]) -> list[str]:
    """Directories a removal may leave empty, deepest first (rmdir skips the rest)."""
    parents = set()
    for name in removed:
        parts = name.split("/")[:-1]
        parents.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return sorted(parents, key=lambda d: (-d.count("/"), d))


def write_file_atomically(path: Path, text: str) -> None:
    """Replace one file in one step (convert's output): a crash leaves old or new."""
    staging = path.with_name(f".{path.name}.fleetc-{os.getpid()}")
    try:
        journal.write_new(staging, text.encode())
        fd = os.open(staging, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
