"""What the plants of the hostile-repository test share (hostile_plants.py,
hostile_names.py): fleetc's file names, sizes past any bound, hostile names,
paths into the sentinel, and making room for a plant without ever writing
through a link or into a FIFO another plant left."""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import stat
from pathlib import Path
from typing import Callable

from tests.support.hostile_repo import Site

MANIFEST = ".fleetc-manifest.json"
PENDING = ".fleetc-pending.json"
JOURNAL = ".fleetc-journal.json"
JOURNAL_TEMP = ".fleetc-journal.fleetc-new"
BOOKKEEPING = (MANIFEST, PENDING, JOURNAL, JOURNAL_TEMP)
# Larger than any bound a reader may set, and than the child's address space.
HUGE = 4 << 30
DEEP = 100_000
HOSTILE_NAMES = (
    "../../etc",
    "../../outside/pwn",
    "a/b",
    "..",
    ".",
    "",
    "-rf",
    "--help",
    "x\u0000y",
    "x\ny",
    "a" * 300,
    "web$(touch pwned)",
    "é",
)
Late = Callable[[], None]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outside_path(site: Site, rng: random.Random, name: str, start: Path) -> str:
    """A path to `name` in the sentinel: absolute, or relative from `start`."""
    target = site.outside / name
    if rng.random() < 0.5:
        return str(target)
    return os.path.relpath(target, start)


def replace(path: Path) -> None:
    """Make room at `path` for a plant (a file, link or directory there goes)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)


def put(path: Path, text: str) -> None:
    """A fresh file at `path`: never written through a link or into a FIFO
    another plant left there."""
    replace(path)
    path.write_text(text)


def link(path: Path, target: str) -> None:
    replace(path)
    path.symlink_to(target)


def regular_bytes(path: Path) -> bytes | None:
    """A regular file's bytes; None once a plant made it something else (a
    FIFO would block the test itself)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except FileNotFoundError:
        return None
    return path.read_bytes()


def fleet_text(site: Site) -> str | None:
    data = regular_bytes(site.repo / site.fleet)
    return None if data is None else data.decode()


def module_files(site: Site) -> list[str]:
    """The module files the sample's fleet names (relative to the repository)."""
    text = fleet_text(site) or ""
    found = re.findall(r'"((?:modules|hosts|vms)/[\w./-]+\.nix)"', text)
    found += re.findall(r"module \./((?:modules|hosts|vms)/[\w./-]+\.nix)", text)
    return sorted(set(found)) or ["modules/common.nix"]


def sparse(path: Path, size: int) -> None:
    replace(path)
    with open(path, "wb") as handle:
        handle.truncate(size)


def some(rng: random.Random, items: list) -> list:
    return rng.sample(items, rng.randint(1, len(items)))
