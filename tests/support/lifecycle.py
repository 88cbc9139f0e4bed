"""Helpers for the lifecycle tests: a fleet that changes between generates."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.support.goldens import SAMPLES, run_fleetc

# Two hosts; `app` and `cache` leave every identity to fleetc (allocated,
# locked), `db` writes its own.
SMALL = """\
[fleet]
name = "small"
journal = true

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"

[hosts.h1]

[hosts.h2]

[vms.app]
host = "h1"
interfaces = [{ network = "lan" }]

[vms.cache]
host = "h1"
vsock = true
interfaces = [{ network = "lan" }]

[vms.db]
host = "h2"
machine_id = "0123456789abcdef0123456789abcdef"
interfaces = [{ network = "lan", ipv4 = "10.0.0.50", mac = "02:00:00:00:00:50", id = "vm-db" }]
"""


def journald(root: Path, in_git: bool = True) -> Path:
    """The journald sample without its tree or twin, in a fake git repository
    (a `.git` directory: output paths as in a repository) unless `in_git` is
    False (Nix stages it then, which needs a real repository or none)."""
    shutil.copytree(
        SAMPLES / "journald",
        root / "ops",
        ignore=shutil.ignore_patterns("generated", "fleet.lock", "fleet.fleet"),
    )
    if in_git:
        (root / ".git").mkdir()
    return root / "ops"


def small(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "fleet.toml").write_text(SMALL)
    return root


def edit(fleet: Path, old: str, new: str) -> None:
    path = fleet / "fleet.toml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def drop_vm(fleet: Path, name: str) -> None:
    """Remove [vms.<name>] and its lines, up to the next table."""
    path = fleet / "fleet.toml"
    text = path.read_text()
    cut = re.compile(rf"\n\[vms\.{name}\]\n(?:[^\[\n].*\n|\n)*", re.M)
    new = cut.sub("\n", text, count=1)
    assert new != text, name
    path.write_text(new)


def generate(fleet: Path, *extra: str) -> str:
    code, _, stderr = run_fleetc(fleet, "generate", "fleet.toml", *extra)
    assert code == 0, stderr
    return stderr


def host_module(fleet: Path, host: str) -> str:
    return (fleet / "generated" / "hosts" / f"{host}.nix").read_text()
