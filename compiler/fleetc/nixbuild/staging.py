"""What `fleetc build` gives Nix: the fleet's own files, and nothing else.

Everything staged ends up in the Nix store, which every local user can read, so
the staged copy holds only what belongs to the fleet:

- In a git repository: the tracked files (`git ls-files`, what Nix's own
  `git+file:` flake reads; staged-but-uncommitted files count), at their places
  below the repository root, plus fleetc's generated files. Git-ignored and
  untracked files never reach the store; nothing outside the repository is
  copied. A referenced module git does not track is reported before Nix runs
  (F023, checks/module_files.py).
- Outside git: the fleet's directory, as Nix's own `path:` flake would copy it
  (never a directory above it, so never `/tmp` or `/`), without VCS and tool
  directories (`.git`, `.venv`, `node_modules`, `result*`, ...), plus the
  generated files.
- Either way, only what others could read where it is (the file and every
  directory above it, from the root down) is copied; the rest is left out and
  named (F050), since the store would make it 0444. A module file the fleet
  names is given to Nix whatever its mode: the fleet asks for it. Links are
  copied as links, never followed, and never lead out of the copy (F051).
  The rules: staging_rules.py.
- When the output directory lies outside that root, the generated flake must
  not need anything beside it (module_files.py's F024 refuses file modules
  then), so only the generated files are staged.

What the module check needs from disk and git is looked up in disk_facts.py.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from ..checks.module_files import file_paths
from ..core.diagnostics import Diagnostic
from ..core.model import Fleet
from ..output.disk_facts import git, repo_root
from .flake_lock import StagingRefused  # noqa: F401 (raised by flake_lock; staging's)
from .staging_rules import SKIP, Gate, cut_leaving_links

# Never staged outside git: version control, virtualenvs, caches, nix's result links.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".direnv"}
)


class StagingFailed(Exception):
    """The fleet's files could not be listed; a one-line message for the user."""


@dataclass(frozen=True)
class Root:
    """The directory whose files Nix may see, whether git decides which, and
    the fleet's module files (absolute paths), given to Nix whatever their mode."""

    path: Path
    in_git: bool
    referenced: frozenset[str] = frozenset()

    def relative(self, directory: Path) -> str | None:
        """`directory` relative to the root ("." for the root), None outside it;
        judged on the normalised path (`output = "../../x"` leaves the root)."""
        try:
            return Path(os.path.normpath(directory)).relative_to(self.path).as_posix()
        except ValueError:
            return None


def root_for(fleet: Fleet, fleet_dir: Path) -> Root:
    """The repository holding the fleet, else the fleet's (resolved) directory."""
    repo = repo_root(fleet_dir)
    modules = frozenset(file_paths(fleet, fleet_dir.as_posix()))
    return Root(repo or fleet_dir, repo is not None, modules)


def generated_on_disk(out_dir: Path) -> dict[str, str]:
    """The generated tree as written: the files its manifest names."""
    from ..output.compare import on_disk  # only `build` stages: not for `check`
    from ..output.manifest_file import read_manifest

    owned = read_manifest(out_dir)  # validated: every name inside the tree
    return on_disk(out_dir, set(owned))  # links refused, never followed


def tracked_files(repo: Path) -> list[str]:
    """Every tracked path relative to the repository (deleted ones included)."""
    listed = git(repo, "ls-files", "-z", "--full-name")
    if listed is None:
        raise StagingFailed(f"fleetc: cannot list the files git tracks in {repo}")
    return [os.fsdecode(name) for name in listed.split(b"\0") if name]


def walked_files(root: Path, scratch: Path) -> list[str]:
    """Files and links below `root` (outside git), pruning SKIPPED_DIRS, Nix's
    `result` links and `scratch` (the copy itself, when root holds /tmp)."""
    found = []
    for directory, dirs, files in os.walk(root):
        at = Path(directory)
        dirs[:] = [d for d in dirs if keep(at / d) and at / d != scratch]
        here = at.relative_to(root)
        found += [(here / name).as_posix() for name in files if keep(at / name)]
        found += [(here / d).as_posix() for d in dirs if (at / d).is_symlink()]
    return found


def keep(path: Path) -> bool:
    if path.name in SKIPPED_DIRS and path.is_dir():
        return False
    return not (path.name.startswith("result") and path.is_symlink())


def copy_files(source: Path, names: list[str], into: Path, referenced: frozenset[str]):
    """Copy what others could read (regular files, and symlinks as links); a
    diagnostic for each file left out (staging_rules.py), and the links copied."""
    gate, links, said = Gate(source, referenced), [], []
    for name in names:
        verdict = gate.check(name)
        if isinstance(verdict, Diagnostic):
            said.append(verdict)
        elif verdict != SKIP:
            copy_one(source / name, into / name, verdict)
            links += [name] if stat.S_ISLNK(verdict) else []
    return said, links


def copy_one(origin: Path, target: Path, mode: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if stat.S_ISLNK(mode):
        target.symlink_to(os.readlink(origin))
    else:
        shutil.copy2(origin, target)


def write_generated(files: dict[str, str], tree: Path, where: str) -> None:
    """fleetc's own files, from memory: exactly what this run generated."""
    for name, text in files.items():
        path = real_parents(tree, f"{where}/{name}")
        if path.is_symlink() or path.exists():
            path.unlink()
        path.write_text(text, encoding="utf-8")


def real_parents(tree: Path, relative: str) -> Path:
    """`tree/relative` with every directory above it real: a copied link (an
    output directory that is a symlink to /srv/...) is replaced, so that writing
    the generated files never follows it out of the copy."""
    at = tree
    for part in Path(relative).parent.parts:
        at = at / part
        if at.is_symlink():
            at.unlink()
        at.mkdir(exist_ok=True)
    return tree / relative


def stage_tree(root: Root, out_dir: Path, files: dict[str, str], tree: Path):
    """Fill `tree`; (the output's path in it, a diagnostic per file left out)."""
    tree.mkdir()
    where = root.relative(out_dir)
    if where is None:  # nothing beside the generated flake is needed (F024)
        write_generated(files, tree, ".")
        return ".", []
    if root.in_git:
        names = tracked_files(root.path)
    else:
        names = walked_files(root.path, tree.parent)
    # Written from memory; the generated flake's lock is given apart (build.py).
    ours = {posixpath.normpath(f"{where}/{name}") for name in [*files, "flake.lock"]}
    names = [name for name in names if name not in ours]
    left_out, links = copy_files(root.path, names, tree, root.referenced)
    write_generated(files, tree, where)  # may replace a copied link by a directory
    return where, left_out + cut_leaving_links(root.path, tree, links)
