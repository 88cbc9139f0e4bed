"""Shares whose source is a directory of the repository (`from_repo = true`):
can Nix copy it, and may it? (F515..F518)

The directory reaches the VM through the Nix store, which every user of the
host may read, so what it holds is published. It must be inside the flake's
source (relative to the fleet file, no link leading out), a directory that
git tracks files in (a git flake sees nothing else), hold nothing git
ignores (local things: a `path:` flake or a copy of the work tree would
carry them into the store), and nothing only its owner may read. What lies on
disk is looked up once, through `Placement.look_up_shares`.
"""

from __future__ import annotations

import posixpath
from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Share, Vm
from ..core.placement import Placement, ShareFacts
from .module_files import inside, is_absolute, resolve

Problem = tuple[str, str, str]


def repo_shares(fleet: Fleet) -> Iterator[tuple[Vm, Share]]:
    """Shares from the repository; a source with `..` is F506 already."""
    for vm in fleet.vms:
        for share in vm.shares:
            if share.from_repo and ".." not in share.source.split("/"):
                yield vm, share


def check_repo_shares(fleet: Fleet, placement: Placement) -> Iterator[Diagnostic]:
    found = list(repo_shares(fleet))
    if not found:
        return
    paths = [
        resolve(placement.fleet_dir, s.source)
        for _, s in found
        if not is_absolute(s.source)
    ]
    facts = None
    if placement.look_up_shares is not None:
        facts = placement.look_up_shares(sorted(set(paths)))
    for _, share in found:
        problem = judge(share, placement, facts)
        if problem is not None:
            code, message, help = problem
            yield error(code, message, share.at("source"), help=help)


def judge(
    share: Share, placement: Placement, facts: ShareFacts | None
) -> Problem | None:
    if is_absolute(share.source):
        return _outside(share, "an absolute path")
    path, root = resolve(placement.fleet_dir, share.source), placement.flake_root
    if root is not None and not inside(path, root):
        return _outside(share, path)
    if facts is None:
        return None
    return _on_disk(share, path, root, facts)


def _on_disk(share: Share, path: str, root, facts: ShareFacts) -> Problem | None:
    if path not in facts.directories:
        return _missing(share, path)
    real = facts.real_path(path)
    if root is not None and not inside(real, root):
        return _outside(share, f"a link to {real}")
    if (entry := facts.ignored_entry(path)) is not None:
        return _ignored(share, entry)
    if facts.tracked is not None and path not in facts.tracked:
        return _untracked(share, path, root)
    if (entry := facts.private_entry(path)) is not None:
        return _private(share, entry)
    return None


def _outside(share: Share, what: str) -> Problem:
    return (
        "F515",
        f"repository share source `{share.source}` ({what}) is not inside the"
        " flake's source: Nix cannot copy it",
        "write the directory relative to the fleet file, inside the repository",
    )


def _missing(share: Share, path: str) -> Problem:
    return (
        "F516",
        f"repository share source `{share.source}` is not a directory ({path})",
        "create it, or fix the path (relative to the fleet file)",
    )


def _ignored(share: Share, entry: str) -> Problem:
    return (
        "F517",
        f"repository share source `{share.source}` holds `{entry}`, which git"
        " ignores: local files must not reach the world-readable Nix store",
        "move what git ignores out of the directory, or share another one",
    )


def _untracked(share: Share, path: str, root) -> Problem:
    relative = posixpath.relpath(path, str(root)) if root is not None else path
    return (
        "F517",
        f"repository share source `{share.source}` holds no file git tracks: a"
        " flake in a git repository sees only tracked files",
        f"run `git add {relative}`",
    )


def _private(share: Share, entry: str) -> Problem:
    return (
        "F518",
        f"repository share source `{share.source}` holds or lies below"
        f" `{entry}`, which only its owner may read: the Nix store would"
        " publish it to every user",
        "keep private files out of shared directories (secrets belong in"
        " sops-nix or agenix), or make it readable (chmod o+r)",
    )
