"""The manifest file as a run writes it and reads it back: what the writer
and the comparison of a tree (`generate --check`, output/compare.py) share, so
that a check that writes nothing does not load the writer.
"""

from __future__ import annotations

import json
from pathlib import Path

from .manifest import BadManifest, Manifest, checked_manifest
from .owner import Owner
from .transaction import MANIFEST, READ_LIMIT
from .tree import Tree, digest
from .tree_merge import TreeMerge


def manifest_text(files: dict[str, str], owner: Owner | None = None) -> str:
    digests = {name: digest(text) for name, text in sorted(files.items())}
    return manifest_of(digests, owner)


def manifest_of(owned: dict[str, str], owner: Owner | None) -> str:
    """The manifest naming the fleet whose tree it is (owner.py) and each owned
    file (sorted) with its hash: `json.dumps(document, indent=2)`, byte for
    byte, with the entries (11,003 at 10,000 VMs) each written by json's C
    encoder (with `indent`, json encodes in Python, a tenth of a no-op)."""
    fleet = {} if owner is None else {"fleet": list(owner.names)}
    head = json.dumps({"generator": "fleetc", **fleet, "files": {}}, indent=2)
    if not owned:
        return head + "\n"
    dumps = json.dumps
    entries = ",\n".join([f"    {dumps(n)}: {dumps(h)}" for n, h in owned.items()])
    return f"{head.removesuffix(EMPTY_FILES)}{{\n{entries}\n  }}\n}}\n"


# How json.dumps(indent=2) ends a manifest whose `files` is empty.
EMPTY_FILES = "{}\n}"


def read_manifest(out_dir: Path) -> dict[str, str]:
    """Owned file -> hash at the time fleetc wrote it; empty when there is none."""
    if not out_dir.is_dir():
        return {}
    # Through Tree: a manifest that is a link to another file is refused (F040).
    data = Tree(out_dir).read(MANIFEST, wanted=False, limit=READ_LIMIT)
    return parse_manifest(out_dir, data).files


def parse_manifest(out_dir: Path, data: bytes | None) -> Manifest:
    """The manifest's entries, each validated (manifest.checked_manifest):
    a committed file names nothing outside the tree (BadManifest otherwise)."""
    return Manifest({}) if data is None else checked_manifest(out_dir, data)


def owned_files(out_dir: Path, data: bytes | None, merge: TreeMerge | None) -> Manifest:
    """The manifest read back: owned name -> the hash it is fleetc's at (in a
    merge, the set of hashes). A manifest git reports unmerged is not trusted
    to be one: its branches' versions are read from git (tree_merge.py), and
    the one on disk adds its hashes only when it is a fleetc manifest (written
    by an earlier run of this merge), never when it holds conflict markers."""
    if merge is None or merge.owned is None:
        return parse_manifest(out_dir, data)
    owned = dict(merge.owned)
    earlier = _earlier_run(out_dir, data)
    for name, hash in earlier.files.items():
        owned[name] = owned.get(name, frozenset()) | {hash}
    return Manifest(owned, earlier.fleet or merge.fleet)


def _earlier_run(out_dir: Path, data: bytes | None) -> Manifest:
    try:
        return parse_manifest(out_dir, data)
    except BadManifest:  # conflict markers: not a manifest, and not used
        return Manifest({})
