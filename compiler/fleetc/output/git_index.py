"""What git says about a merge in progress: the paths it left unmerged, the
versions (stages) of each, and the merge of the two branches' trees.

Everything read from git is input like any file of the repository (a pull
request chooses the blobs, and their size): git runs without a shell, each
answer is read up to a limit (the process is killed past it), object ids are
checked before they are passed back to git, and names are kept only when they
are normalised paths inside the repository.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

# As much as fleetc reads of any file: fleet.lock is ~190 bytes a VM.
READ_LIMIT = 64 * 2**20
# Patterns compiled on first use (re caches them): most runs read no object id.
OBJECT_ID = rb"[0-9a-f]{40}|[0-9a-f]{64}"
_UNMERGED = rb"(?s)([0-7]{6}) ([0-9a-f]{40}|[0-9a-f]{64}) ([123])\t(.+)"
BASE, OURS, THEIRS = 1, 2, 3


class GitUnreadable(Exception):
    """git's answer could not be used: too large, or not what git writes."""


@dataclass(frozen=True)
class Unmerged:
    """Unmerged paths of one repository: name (relative to the repository,
    `/`-separated) -> stage -> blob id."""

    repo: Path
    stages: dict[str, dict[int, bytes]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.stages)

    def under(self, prefix: str) -> dict[str, dict[int, bytes]]:
        """The unmerged names below `prefix` (a directory), relative to it."""
        if prefix in ("", "."):
            return dict(self.stages)
        head = prefix.rstrip("/") + "/"
        return {
            name[len(head) :]: stages
            for name, stages in self.stages.items()
            if name.startswith(head)
        }


def run_git(
    repo: Path, *args: str, limit: int = READ_LIMIT, ok: tuple[int, ...] = (0,)
) -> bytes | None:
    """git's stdout (at most `limit` bytes), or None when git is missing or
    exits with a status not in `ok`; GitUnreadable when it says more."""
    import subprocess  # a check that starts no git process never loads it

    command = ["git", "-C", str(repo), "--literal-pathspecs", *args]
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None
    with process:
        data = process.stdout.read(limit + 1)
        if len(data) > limit:
            process.kill()
            raise GitUnreadable(f"git {args[0]} said more than {limit} bytes")
        status = process.wait()
    return data if status in ok else None


# What git leaves in its directory while an operation may hold unmerged paths.
IN_PROGRESS = (
    "MERGE_HEAD",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
    "REBASE_HEAD",
    "rebase-merge",
    "rebase-apply",
)


def operation_in_progress(repo: Path) -> bool:
    """Whether git is in a merge, cherry-pick, revert or rebase: stat calls
    only, so that a run outside one costs no git process."""
    git_dir = _git_dir(repo)
    return git_dir is not None and any(
        os.path.lexists(git_dir / name) for name in IN_PROGRESS
    )


def _git_dir(repo: Path) -> Path | None:
    """`.git`, or where a `.git` file (a linked work tree) says it is."""
    dot_git = repo / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        with open(dot_git, "rb") as file:
            head = file.read(4096).split(b"\n", 1)[0]
    except OSError:
        return None
    if not head.startswith(b"gitdir: "):
        return None
    return repo / os.fsdecode(head[len(b"gitdir: ") :].strip())


def unmerged(repo: Path) -> Unmerged:
    """Every path git reports unmerged (`git ls-files -u`); none outside git."""
    listed = run_git(repo, "ls-files", "-u", "-z", "--full-name")
    found: dict[str, dict[int, bytes]] = {}
    for entry in (listed or b"").split(b"\0"):
        parsed = re.fullmatch(_UNMERGED, entry) if entry else None
        if parsed is None:
            continue
        name = _name(parsed.group(4))
        if name is not None:
            found.setdefault(name, {})[int(parsed.group(3))] = parsed.group(2)
    return Unmerged(repo, found)


def _name(raw: bytes) -> str | None:
    """A path git named, kept only when it is a normalised relative path."""
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    parts = name.split("/")
    if name.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts):
        return None
    return name


def blob(repo: Path, object_id: bytes, limit: int = READ_LIMIT) -> bytes:
    """The bytes of one blob (`git cat-file blob`), as git stores them."""
    if not re.fullmatch(OBJECT_ID, object_id):
        raise GitUnreadable("not an object id")
    data = run_git(repo, "cat-file", "blob", object_id.decode(), limit=limit)
    if data is None:
        raise GitUnreadable(f"git has no blob {object_id.decode()}")
    return data


def merged_tree(repo: Path) -> bytes | None:
    """The tree git's merge of HEAD and MERGE_HEAD gives (`git merge-tree`),
    conflicts left in; None when no merge of two commits is in progress."""
    heads = run_git(repo, "rev-parse", "-q", "--verify", "MERGE_HEAD^{commit}")
    if heads is None or not re.fullmatch(OBJECT_ID, heads.strip()):
        return None
    command = ("merge-tree", "--write-tree", "--no-messages", "-z")
    # Exit 1: the merge has conflicts; the tree (conflicts left in) still holds.
    written = run_git(repo, *command, "HEAD", heads.strip().decode(), ok=(0, 1))
    tree = written.split(b"\0", 1)[0] if written else b""
    return tree if re.fullmatch(OBJECT_ID, tree) else None


def blob_in_tree(repo: Path, tree: bytes, name: str) -> bytes | None:
    """The id of the blob at `name` in `tree`, None when there is none."""
    if not re.fullmatch(OBJECT_ID, tree):
        return None
    listed = run_git(repo, "ls-tree", "-z", tree.decode(), "--", name, limit=4096)
    entry = (listed or b"").split(b"\0", 1)[0]
    parts = entry.split(b"\t", 1)[0].split(b" ")
    if len(parts) == 3 and parts[1] == b"blob" and re.fullmatch(OBJECT_ID, parts[2]):
        return parts[2]
    return None
