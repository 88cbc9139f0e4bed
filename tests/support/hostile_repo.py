"""The repositories of the hostile-repository test (tests/support/hostile.py): a copy
of a sample fleet with its generated tree and lock, in git, beside a sentinel
directory that fleetc must never read, print or change.

    base/repo/      the repository (the fleet, its modules, generated/, fleet.lock)
    base/outside/   the sentinel: files whose content holds `marker`
    base/home/      HOME of every run (where a result cache would live)
    base/tmp/       TMPDIR of every run: fleetc's own temp files
    base/bin/nix    build's stand-in for nix (tests/support/hostile_nix.py)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.paths import SAMPLES

STAND_IN_NIX = Path(__file__).resolve().parent / "hostile_nix.py"
GIT = ["git", "-c", "user.name=hostile", "-c", "user.email=hostile@example.org"]
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}


@dataclass
class Site:
    """One repository and its surroundings."""

    base: Path
    fleet: str  # the fleet file, relative to the repository
    twin: str | None  # its twin in the other format, when there is one
    marker: str  # in every sentinel file; never in fleetc's output
    private_marker: str  # in the repository's private files; never staged
    seed: int = 0
    output: str = "generated"
    in_git: bool = True
    others: list[str] = field(default_factory=list)  # more fleets, same output
    plants: list[str] = field(default_factory=list)  # what was planted, in words
    planted_by: list = field(default_factory=list)  # the plants (functions)

    @property
    def repo(self) -> Path:
        return self.base / "repo"

    @property
    def outside(self) -> Path:
        return self.base / "outside"

    @property
    def home(self) -> Path:
        return self.base / "home"

    @property
    def tmp(self) -> Path:
        return self.base / "tmp"

    @property
    def out_dir(self) -> Path:
        return self.repo / self.output

    @property
    def fleets(self) -> list[str]:
        return [self.fleet, *self.others]

    def lock(self, fleet: str | None = None) -> Path:
        return (self.repo / (fleet or self.fleet)).with_suffix(".lock")

    def planted(self, words: str) -> None:
        self.plants.append(words)

    def env(self) -> dict[str, str]:
        """The environment of every run: nothing of the user running the test."""
        path = f"{self.base / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}"
        return {
            "PATH": path,
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "LANG": "C.UTF-8",
            "NO_COLOR": "1",
            "HOSTILE_MARKERS": f"{self.marker},{self.private_marker}",
            **GIT_ENV,
        }


def make_site(
    base: Path, sample: str, fleet: str, twin: bool, seed: int, copy: Path | None = None
) -> Site:
    """`samples/<sample>` as a repository at base/repo (a copy of `copy`, a
    repository made so before, when given), with the sentinel beside it."""
    token = hashlib.sha256(f"hostile {seed}".encode()).hexdigest()[:20]
    other = "fleet.fleet" if fleet.endswith(".toml") else "fleet.toml"
    twin_file = other if twin else None
    site = Site(base, fleet, twin_file, f"SECRET{token}", f"PRIVATE{token}", seed)
    for directory in (site.home, site.tmp, base / "bin"):
        directory.mkdir(parents=True)
    if copy is not None:
        shutil.copytree(copy, site.repo, symlinks=True)
    else:
        skip = shutil.ignore_patterns() if twin else shutil.ignore_patterns(other)
        shutil.copytree(SAMPLES / sample, site.repo, ignore=skip)
    make_sentinel(site)
    stand_in_nix(base / "bin" / "nix")
    return site


def make_sentinel(site: Site) -> None:
    """Files outside the repository, each holding the marker on its first line."""
    mark = site.marker
    files = {
        "secret.txt": f"{mark} the sentinel's first line\nsecond line\n",
        "secret.nix": f"# {mark}\n{{ ... }}: {{ }}\n",
        "fleet.lock": f"{mark} = 1\nversion = 2\n",
        "fleet.toml": (
            f"# {mark}\n" + (site.repo / "fleet.toml").read_text()
            if (site.repo / "fleet.toml").exists()
            else f"# {mark}\n"
        ),
        "flake.lock": f'{{"{mark}": true, "nodes": {{}}, "version": 7}}\n',
        ".fleetc-manifest.json": f'{{"generator": "fleetc", "files": {{}}, "{mark}": 1}}\n',
        "vms/web.nix": f"# {mark}\n{{ ... }}: {{ }}\n",
        "hosts/server1.nix": f"# {mark}\n{{ ... }}: {{ }}\n",
        "modules/common.nix": f"# {mark}\n{{ ... }}: {{ }}\n",
        "modules/vm.nix": f"# {mark}\n{{ ... }}: {{ }}\n",
        "dir/deep/file.txt": f"{mark}\n",
        "dir/file.txt": f"{mark}\n",
        "dir/notes.txt": f"{mark}\n",
    }
    for name, text in files.items():
        path = site.outside / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def stand_in_nix(path: Path) -> None:
    path.write_text(f"#!{sys.executable}\n" + STAND_IN_NIX.read_text())
    path.chmod(0o755)


def git(site: Site, *args: str, check: bool = True) -> None:
    env = {**os.environ, **GIT_ENV}
    command = [*GIT, *args]
    # A timeout: the test must never wait for ever on what it planted.
    subprocess.run(
        command, cwd=site.repo, env=env, check=check, capture_output=True, timeout=60
    )


def git_output(site: Site, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        [*GIT, *args],
        cwd=site.repo,
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return os.fsdecode(done.stdout)


def into_git(site: Site) -> None:
    """A repository whose index holds the copy (what `git ls-files` lists)."""
    git(site, "init", "-q")
    track(site)


def track(site: Site) -> None:
    """Everything in the work tree into the index; what git cannot add (a
    FIFO, a file it may not read) is left out, as git leaves it out."""
    if site.in_git:
        git(site, "add", "-A", "--ignore-errors", ".", check=False)


# -- what must not change ----------------------------------------------------------


def snapshot(root: Path, skip=lambda relative: False, contents=False) -> dict:
    """relative path -> what lstat says of it (contents: and its bytes' hash),
    but for what `skip` (given the relative path) leaves out; never follows a
    link, never opens anything but small regular files."""
    found = {}
    top = len(str(root)) + 1
    for directory, dirs, files in os.walk(root):
        here = directory[top:]
        kept = []
        for name in dirs + files:
            relative = f"{here}/{name}" if here else name
            if not skip(relative):
                found[relative] = _state(os.path.join(directory, name), contents)
                kept.append(name)
        dirs[:] = [d for d in dirs if d in kept]
    return found


def _state(path: str, contents: bool) -> tuple:
    status = os.lstat(path)
    kind = stat.S_IFMT(status.st_mode)
    if stat.S_ISDIR(status.st_mode):
        return (kind, status.st_mode, status.st_mtime_ns) if contents else (kind,)
    state = (kind, status.st_mode, status.st_size, status.st_mtime_ns)
    state += (status.st_ctime_ns, status.st_ino)
    if stat.S_ISLNK(status.st_mode):
        return state + (os.readlink(path),)
    if contents and stat.S_ISREG(status.st_mode) and status.st_size < 1 << 20:
        return state + (hashlib.sha256(Path(path).read_bytes()).hexdigest(),)
    return state


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two snapshots, in words."""
    said = [f"removed {name}" for name in sorted(before.keys() - after.keys())]
    said += [f"created {name}" for name in sorted(after.keys() - before.keys())]
    said += [
        f"changed {name}"
        for name in sorted(before.keys() & after.keys())
        if before[name] != after[name]
    ]
    return said
