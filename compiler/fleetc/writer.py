"""Writing the generated tree: owned files only, replaced atomically.

The tree carries a manifest (`.fleetc-manifest.json`) naming every file fleetc
wrote, with its hash. A new tree is built beside the old one and swapped in with
one atomic rename, so a failed run leaves the previous tree exactly as it was.
Files fleetc does not own (nix's `flake.lock`, a README) are carried over; a
generated file that would replace one of them, or replace a hand-edited
generated file, is refused instead, so nothing is lost.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".fleetc-manifest.json"


class WriteRefused(Exception):
    """The write would destroy something fleetc does not own; nothing was changed."""

    def __init__(self, message: str, help: str) -> None:
        super().__init__(message)
        self.help = help


@dataclass(frozen=True)
class WriteReport:
    written: int
    changed: tuple[str, ...]
    removed: tuple[str, ...]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def manifest_text(files: dict[str, str]) -> str:
    owned = {name: digest(text) for name, text in sorted(files.items())}
    return json.dumps({"generator": "fleetc", "files": owned}, indent=2) + "\n"


def read_manifest(out_dir: Path) -> dict[str, str]:
    """Owned file -> hash at the time fleetc wrote it; empty when there is none."""
    try:
        document = json.loads((out_dir / MANIFEST).read_text())
        return dict(document["files"])
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError) as problem:
        raise WriteRefused(
            f"{out_dir / MANIFEST} is not a fleetc manifest ({problem})",
            "restore it from version control, or remove the directory to start afresh",
        ) from None


def existing_files(out_dir: Path) -> set[str]:
    if not out_dir.is_dir():
        return set()
    return {
        p.relative_to(out_dir).as_posix()
        for p in out_dir.rglob("*")
        if not p.is_dir() or p.is_symlink()
    }


def plan(out_dir: Path, files: dict[str, str], force: bool) -> tuple[set, dict]:
    """Files to carry over unchanged; refuses before anything is touched."""
    owned = read_manifest(out_dir)
    present = existing_files(out_dir) - {MANIFEST}
    foreign = present - owned.keys()
    clobbered = sorted(foreign & files.keys())
    if clobbered:
        raise WriteRefused(
            f"{out_dir / clobbered[0]} exists and was not written by fleetc",
            "move it away (or choose another output directory with --out)",
        )
    if not force:
        _refuse_hand_edits(out_dir, owned, present)
    return foreign, owned


def _refuse_hand_edits(out_dir: Path, owned: dict[str, str], present: set) -> None:
    for name in sorted(owned.keys() & present):
        if digest((out_dir / name).read_text(errors="replace")) != owned[name]:
            raise WriteRefused(
                f"{out_dir / name} was edited by hand since fleetc wrote it",
                "move the change into the fleet file or a module, "
                "or pass --force to discard it",
            )


def write_tree(
    out_dir: Path, files: dict[str, str], force: bool = False
) -> WriteReport:
    foreign, owned = plan(out_dir, files, force)
    staging = _stage(out_dir, files, foreign)
    try:
        _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _report(out_dir, files, owned)


def _stage(out_dir: Path, files: dict[str, str], foreign: set) -> Path:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.fleetc-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for name, text in {**files, MANIFEST: manifest_text(files)}.items():
            _write_file(staging / name, text)
        for name in foreign:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(out_dir / name, target, follow_symlinks=False)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _swap_in(staging: Path, out_dir: Path) -> None:
    """After this, `out_dir` is the staged tree and `staging` holds the old one."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if not _exchange(staging, out_dir):
        # No atomic exchange here (not Linux, or an old kernel or filesystem):
        # two renames, with a window in which the old tree sits beside its name.
        aside = staging.with_name(staging.name + ".old")
        os.rename(out_dir, aside)
        os.rename(staging, out_dir)
        os.rename(aside, staging)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two directories in one atomic step."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE
    )
    return result == 0


def _report(out_dir: Path, files: dict[str, str], old: dict[str, str]) -> WriteReport:
    changed = tuple(n for n in sorted(files) if old.get(n) != digest(files[n]))
    removed = tuple(sorted(old.keys() - files.keys()))
    return WriteReport(len(files), changed, removed)


def write_file_atomically(path: Path, text: str) -> None:
    """Replace one file in one step (fleet.lock): a crash leaves old or new, never half."""
    staging = path.with_name(f".{path.name}.fleetc-{os.getpid()}")
    try:
        _write_file(staging, text)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
