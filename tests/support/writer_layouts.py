"""Real repositories in the layouts users have, for the writer's tests.

Each layout is a real `git init` repository holding a fleet, its output
directory somewhere (its own folder, the repository root, the fleet file's
folder, a symlink to a directory outside the repository) and things fleetc does
not own: a foreign file, an empty directory, `.git` with its empty directories.
`fleetc` runs as a real subprocess of the installed entry point.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FLEETC = Path(sys.executable).parent / "fleetc"
LAYOUTS = ("own-folder", "repo-root", "fleet-folder", "symlink")
FLEETC_DEBRIS = (".fleetc-new", ".fleetc-pending.json", ".fleetc-journal.json")


def fleet_toml(vms: int, output: str, mem: int = 1024, skip=(), random_ids=False):
    """`vms` VMs on hosts of 10, each leaving everything allocatable to fleetc."""
    ids = 'machine_ids = "random"\n' if random_ids else ""
    parts = [
        f'[fleet]\nname = "writer"\noutput = "{output}"\n{ids}',
        '[networks.lan]\nipv4 = "10.0.0.0/16"\ngateway4 = "10.0.0.1"\nbridge = "br0"\n',
    ]
    parts += [f'[hosts.h{h}]\nuplink = "eno1"\n' for h in range(vms // 10 + 1)]
    for v in range(vms):
        if v not in skip:
            parts.append(
                f'[vms.vm{v}]\nhost = "h{v // 10}"\nmem = {mem}\n'
                'interfaces = [{ network = "lan" }]\n'
            )
    return "\n".join(parts)


@dataclass
class Repo:
    """One layout: where the fleet and its output live, and what is foreign there."""

    root: Path
    fleet_dir: Path
    out_dir: Path  # as the user names it (may be a symlink)
    output: str  # fleet.output

    @property
    def fleet(self) -> Path:
        return self.fleet_dir / "fleet.toml"

    @property
    def lock(self) -> Path:
        return self.fleet_dir / "fleet.lock"

    def write_fleet(self, text: str) -> None:
        self.fleet.write_text(text)

    def generate(self, *extra: str, check=True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(FLEETC), "generate", "fleet.toml", *extra],
            cwd=self.fleet_dir,
            capture_output=True,
            text=True,
            env=quiet_env(),
        )
        assert not check or done.returncode == 0, done.stderr
        return done

    def owned(self) -> dict[str, bytes]:
        """Every file the current manifest names, and the manifest, as bytes."""
        import json

        manifest = self.out_dir / ".fleetc-manifest.json"
        names = [*json.loads(manifest.read_text())["files"], manifest.name]
        return {name: (self.out_dir / name).read_bytes() for name in names}


def quiet_env() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def make_repo(base: Path, layout: str) -> Repo:
    root = base / "repo"
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    if layout == "own-folder":
        repo = Repo(root, root, root / "generated", "generated")
    elif layout == "repo-root":
        repo = Repo(root, root, root, ".")
    elif layout == "fleet-folder":
        (root / "ops").mkdir()
        repo = Repo(root, root / "ops", root / "ops", ".")
    else:
        target = base / "srv" / "fleet-tree"
        target.mkdir(parents=True)
        (root / "generated").symlink_to(os.path.relpath(target, root))
        repo = Repo(root, root, root / "generated", "generated")
    repo.out_dir.mkdir(exist_ok=True)
    add_foreign(repo)
    return repo


def add_foreign(repo: Repo) -> None:
    (repo.out_dir / "README.md").write_text("mine, not fleetc's\n")
    (repo.out_dir / "empty-dir").mkdir()
    (repo.out_dir / "notes").mkdir()
    (repo.out_dir / "notes" / "keep.txt").write_text("keep\n")
    (repo.out_dir / "vms").mkdir()  # a directory fleetc will also use
    (repo.out_dir / "vms" / "my-own.nix").write_text("{ }\n")


def foreign_state(repo: Repo) -> dict:
    """What must never change: foreign files (bytes and inode), empty dirs, links."""
    out = repo.out_dir
    files = [out / "README.md", out / "notes" / "keep.txt", out / "vms" / "my-own.nix"]
    state = {str(p): (p.read_bytes(), p.stat().st_ino) for p in files}
    empty = [out / "empty-dir", *sorted((repo.root / ".git").rglob("*"))]
    state["empty"] = sorted(
        str(p) for p in empty if p.is_dir() and not any(p.iterdir())
    )
    state["out inode"] = os.stat(out).st_ino
    state["root inode"] = os.stat(repo.root).st_ino
    state["link"] = os.readlink(out) if out.is_symlink() else None
    return state


def debris(*directories: Path) -> list[str]:
    """fleetc's temp, pending and journal files, and old-style staging, anywhere here."""
    found = []
    for directory in directories:
        for path in directory.rglob("*"):
            if path.name.endswith(FLEETC_DEBRIS) or ".fleetc-" in path.name:
                if path.name != ".fleetc-manifest.json":
                    found.append(str(path))
    return sorted(found)


def git_ok(repo: Repo) -> bool:
    done = subprocess.run(
        ["git", "-C", str(repo.root), "status", "--porcelain"], capture_output=True
    )
    return done.returncode == 0
