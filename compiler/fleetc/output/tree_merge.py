"""The generated tree in a git merge: which of its files are fleetc's to rewrite.

fleetc owns the files its manifest names, at the hash it wrote them with, and
refuses to overwrite anything else (writer.py). A merge of two branches that
both regenerated the tree breaks that: git writes conflict markers into the
files both changed (the manifest among them), or leaves the current branch's
version where `.gitattributes` says `-merge` (`fleetc setup-git`), or merges
two generated versions into a third. So, while git reports paths of the tree
unmerged (`git ls-files -u`), and only then:

- a file git reports unmerged is fleetc's to rewrite whatever it holds, when
  a manifest of either branch names it (git's stages 2 and 3 of the manifest;
  markers in the work tree's manifest are never parsed);
- when the manifest itself is unmerged, fleetc owns what either branch's
  manifest names, at either branch's hash; and a file both branches changed
  that git merged without a conflict is fleetc's when it holds exactly what
  git's merge of the two branches gives (`git merge-tree`, compared by hash):
  git, not the file, says so.

Anything else (a file changed by hand, a file no manifest names) is refused
as before.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .git_index import OURS, THEIRS, Unmerged, blob, blob_in_tree, merged_tree
from .manifest import Manifest, checked_manifest
from .transaction import MANIFEST


@dataclass(frozen=True)
class TreeMerge:
    """`unmerged`: names (relative to the output directory) git reports
    unmerged; `owned`: when the manifest is unmerged, each name either
    branch's manifest owns -> the hashes that are fleetc's (else None)."""

    unmerged: frozenset[str]
    owned: Mapping[str, frozenset[str]] | None = None
    fleet: tuple[str, ...] | None = None  # whose tree, as this branch's manifest says


def tree_merge(out_dir: Path, index: Unmerged) -> TreeMerge | None:
    """The tree's part of the merge in progress; None when git reports none."""
    prefix = _inside(out_dir, index.repo)
    names = index.under(prefix) if prefix is not None else {}
    if not names:
        return None
    if MANIFEST not in names:
        return TreeMerge(frozenset(names))
    owned, fleet = _owned(out_dir, index, prefix, names)
    return TreeMerge(frozenset(names), owned, fleet)


def _inside(out_dir: Path, repo: Path) -> str | None:
    """The output directory relative to the repository ("" at its root)."""
    relative = os.path.relpath(os.path.realpath(out_dir), os.path.realpath(repo))
    if relative == ".":
        return ""
    if relative == ".." or relative.startswith("../"):
        return None
    return relative.replace(os.sep, "/")


def _owned(out_dir: Path, index: Unmerged, prefix: str, names: dict):
    """Either branch's manifest, and git's own merge of files both changed."""
    sides = [_manifest(out_dir, index, names[MANIFEST], s) for s in (OURS, THEIRS)]
    ours, theirs = (side.files for side in sides)
    owned = {
        name: frozenset(h for h in (ours.get(name), theirs.get(name)) if h)
        for name in ours.keys() | theirs.keys()
    }
    merged = [
        name
        for name in sorted(ours.keys() & theirs.keys())
        if ours[name] != theirs[name] and name not in names
    ]
    for name, digest in _merged_by_git(index, prefix, merged):
        owned[name] = owned[name] | {digest}
    return owned, sides[0].fleet or sides[1].fleet


def _manifest(out_dir: Path, index: Unmerged, stages: dict, stage: int) -> Manifest:
    """One branch's manifest (validated like the one on disk); empty when that
    branch has none."""
    if stage not in stages:
        return Manifest({})
    return checked_manifest(out_dir, blob(index.repo, stages[stage]))


def _merged_by_git(index: Unmerged, prefix: str, names: list[str]):
    """(name, sha256 of what git's merge of the two branches holds there)."""
    tree = merged_tree(index.repo) if names else None
    if tree is None:
        return
    for name in names:
        found = blob_in_tree(index.repo, tree, f"{prefix}/{name}" if prefix else name)
        if found is not None:
            yield name, hashlib.sha256(blob(index.repo, found)).hexdigest()
