"""What a commit would hold: the generated tree and fleet.lock as staged in
git's index, compared with what fleetc writes (`generate --staged`, the
pre-commit hooks).

Compared by object id, without reading a blob: the id git gives a text is
computed here (`blob <size>\\0<bytes>`, SHA-1 or SHA-256 as the repository's
ids are), so a check of a current tree costs one `git ls-files`. The staged
manifest is read (it names the files a commit must drop) and validated like
the one on disk.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .git_index import OBJECT_ID, blob, run_git
from .manifest import validate_manifest
from .transaction import MANIFEST

# Compiled on first use (re caches it): only a staged check reads the index.
_STAGED = rb"(?s)([0-7]{6}) ([0-9a-f]{40}|[0-9a-f]{64}) ([0-3])\t(.+)"
UNMERGED = b"unmerged"


def index_entries(repo: Path, pathspecs: list[str]) -> dict[str, bytes]:
    """Path (relative to the repository) -> staged blob id, or UNMERGED."""
    listed = run_git(repo, "ls-files", "-s", "-z", "--full-name", "--", *pathspecs)
    found: dict[str, bytes] = {}
    for entry in (listed or b"").split(b"\0"):
        parsed = re.fullmatch(_STAGED, entry) if entry else None
        if parsed is None:
            continue
        name = parsed.group(4).decode("utf-8", "surrogateescape")
        stage0 = parsed.group(3) == b"0"
        found[name] = parsed.group(2) if stage0 else UNMERGED
    return found


def blob_id(text: str, like: bytes) -> bytes:
    """The id git gives `text` as a blob, in the hash of the id `like`."""
    data = text.encode("utf-8")
    algorithm = hashlib.sha256 if len(like) == 64 else hashlib.sha1
    hashed = algorithm(b"blob %d\0" % len(data))
    hashed.update(data)
    return hashed.hexdigest().encode()


def staged_differences(
    repo: Path, out: str, wanted: dict[str, str], lock: str, lock_text: str
) -> list[str]:
    """Paths (relative to the repository) whose staged version is not what
    fleetc writes: a file missing, different or unmerged in the index, and a
    file the staged manifest owns that fleetc no longer writes."""
    prefix = "" if out in ("", ".") else f"{out}/"
    pathspecs = [prefix.rstrip("/") or ".", lock]
    staged = index_entries(repo, pathspecs)
    texts = {f"{prefix}{name}": text for name, text in wanted.items()}
    texts[lock] = lock_text
    differing = [
        name
        for name, text in sorted(texts.items())
        if not _same(staged.get(name), text)
    ]
    return differing + _dropped(repo, prefix, staged, texts)


def _same(staged: bytes | None, text: str) -> bool:
    if staged is None or not re.fullmatch(OBJECT_ID, staged):
        return False
    return blob_id(text, staged) == staged


def _dropped(repo: Path, prefix: str, staged: dict, texts: dict) -> list[str]:
    """Files the staged manifest owns that fleetc would remove."""
    manifest = staged.get(f"{prefix}{MANIFEST}")
    if manifest is None or not re.fullmatch(OBJECT_ID, manifest):
        return []
    owned = validate_manifest(Path(repo, prefix or "."), blob(repo, manifest))
    return sorted(
        f"{prefix}{name}"
        for name in owned
        if f"{prefix}{name}" in staged and f"{prefix}{name}" not in texts
    )


def tracked_fleets(repo: Path) -> list[str]:
    """Fleet files git tracks, as the hooks find them: `fleet.toml` and
    `*.fleet`; of twins, the TOML one (it checks its twin)."""
    listed = run_git(repo, "ls-files", "-z", "--full-name", limit=64 * 2**20) or b""
    names = [n.decode("utf-8", "surrogateescape") for n in listed.split(b"\0") if n]
    fleets = {n for n in names if n == "fleet.toml" or n.endswith("/fleet.toml")}
    fleets |= {n for n in names if n.endswith(".fleet")}
    return sorted(
        n for n in fleets if not (n.endswith(".fleet") and _twin(n) in fleets)
    )


def _twin(name: str) -> str:
    return name[: -len(".fleet")] + ".toml"
