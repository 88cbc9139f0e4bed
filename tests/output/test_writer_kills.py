"""SIGKILL `fleetc generate` at many moments: every owned file stays old or new.

A real subprocess of the installed fleetc, over a few hundred VMs, in each
layout, switching between two fleets A and B that differ in every VM file, in
the set of VMs and in fleet.lock. After each kill: every owned file is
byte-equal to its A or B version (never missing, never torn), fleet.lock too,
and unless a committed journal is waiting to be rolled forward, tree and lock
are wholly one version. After a clean run: exactly the new tree and lock, no
fleetc debris anywhere, foreign files, empty dirs, `.git`, the directory's
inode and the symlink untouched.

`make test` kills 10 times per layout; FLEETC_KILLS=100 kills more.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.goldens import run_fleetc
from tests.support.writer_layouts import (
    FLEETC,
    LAYOUTS,
    debris,
    fleet_toml,
    foreign_state,
    git_ok,
    make_repo,
    quiet_env,
)

KILLS = int(os.environ.get("FLEETC_KILLS", "10"))
VMS = 200
PENDING = ".fleetc-pending.json"
JOURNAL = ".fleetc-journal.json"


@dataclass(frozen=True)
class Version:
    fleet: str
    tree: dict[str, bytes]
    lock: bytes


def versions(base: Path, layout: str, vms: int = VMS) -> tuple[Version, Version]:
    """A and B as a clean run writes them once both were written before (A -> B
    -> A -> B -> A -> B in a scratch repository): fleet.lock remembers the VMs
    the last switch removed (retire.py), so the first A, with no such record,
    is not the A every later switch writes."""
    scratch = make_repo(base, layout)
    texts = [
        fleet_toml(vms, scratch.output, skip=set(range(0, vms, 7))),
        fleet_toml(vms, scratch.output, mem=2048, skip=set(range(3, vms, 11))),
    ]
    seen = []
    for text in texts * 3:
        scratch.write_fleet(text)
        assert run_fleetc(scratch.fleet_dir, "generate", "fleet.toml")[0] == 0
        seen.append(Version(text, scratch.owned(), scratch.lock.read_bytes()))
    assert seen[2:4] == seen[4:], "A -> B -> A must give A again"
    return seen[2], seen[3]


def steady(repo, a: Version, b: Version) -> None:
    """Through A and B once, so that the next A and B are `versions`' (the
    lock's retirement records included)."""
    for version in (a, b):
        repo.write_fleet(version.fleet)
        repo.generate()


def on_disk(repo, names) -> dict[str, bytes | None]:
    found = {}
    for name in names:
        try:
            found[name] = (repo.out_dir / name).read_bytes()
        except FileNotFoundError:
            found[name] = None
    return found


def check_after_kill(repo, a: Version, b: Version, target: Version) -> Version:
    """Every owned file and the lock are A's or B's; returns the version the next
    run settles on: the killed run's target if its journal is committed, else
    the one version that tree and lock wholly are."""
    names = a.tree.keys() | b.tree.keys()
    current = on_disk(repo, names)
    for name in names:
        assert current[name] in (a.tree.get(name), b.tree.get(name)), name
    lock = repo.lock.read_bytes()
    assert lock in (a.lock, b.lock)
    if (repo.out_dir / JOURNAL).exists():
        return target
    whole = [v for v in (a, b) if current == on_disk_of(v, names) and lock == v.lock]
    assert whole, "no journal, yet tree and lock are not one version"
    return whole[0]


def on_disk_of(version: Version, names) -> dict[str, bytes | None]:
    return {name: version.tree.get(name) for name in names}


def kill_generate(repo, rng: random.Random, duration: float) -> bool:
    """Start generate, SIGKILL it; True if the kill caught a write in progress."""
    run = subprocess.Popen(
        [str(FLEETC), "generate", "fleet.toml"],
        cwd=repo.fleet_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=quiet_env(),
    )
    if rng.random() < 0.4:
        time.sleep(rng.uniform(0, duration))
    else:  # most kills aimed at the write: after the pending list appears
        pending = repo.out_dir / PENDING
        while not pending.exists() and run.poll() is None:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, duration / 3))
    run.kill()
    run.wait()
    return (repo.out_dir / PENDING).exists() or (repo.out_dir / JOURNAL).exists()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sigkill_leaves_old_or_new_and_the_next_run_completes(tmp_path, layout):
    a, b = versions(tmp_path / "scratch", layout)
    repo = make_repo(tmp_path / "killed", layout)
    before = foreign_state(repo)
    steady(repo, a, b)
    repo.write_fleet(a.fleet)
    start = time.perf_counter()
    repo.generate()
    duration = time.perf_counter() - start
    rng = random.Random(layout)
    caught, settled = 0, a
    for _ in range(KILLS):
        target = b if settled is a else a
        repo.write_fleet(target.fleet)
        caught += kill_generate(repo, rng, duration)
        settled = check_after_kill(repo, a, b, target)
    repo.generate()
    assert repo.owned() == target.tree and repo.lock.read_bytes() == target.lock
    assert debris(repo.root, repo.out_dir, tmp_path / "killed") == []
    assert foreign_state(repo) == before and git_ok(repo)
    print(f"{layout}: {caught} of {KILLS} kills inside a write")
    assert caught > 0, "no kill landed inside a write: the test proved nothing"


def test_a_kill_after_the_commit_keeps_the_machine_ids_it_drew(tmp_path):
    """fleet.lock is authoritative: ids drawn at random by a killed, committed run
    are the ones the next run keeps (it compiles again from the completed lock)."""
    repo = make_repo(tmp_path, "own-folder")
    repo.write_fleet(fleet_toml(20, repo.output, skip={5, 6}, random_ids=True))
    repo.generate()
    repo.write_fleet(fleet_toml(20, repo.output, random_ids=True))
    # The first rename is the pending list's, the second the journal's (the
    # commit): die at the third.
    killed = subprocess.run(
        ["strace", "-qq", "-o", os.devnull, "-e", "trace=rename"]
        + ["-e", "inject=rename:signal=KILL:when=3", str(FLEETC), "generate"]
        + ["fleet.toml"],
        cwd=repo.fleet_dir,
        env=quiet_env(),
        capture_output=True,
    )
    assert killed.returncode != 0
    assert (repo.out_dir / JOURNAL).exists()
    drawn = (repo.fleet_dir / ".fleet.lock.fleetc-new").read_text()
    assert "vm5" in drawn and "vm5" not in repo.lock.read_text()
    done = repo.generate()
    assert repo.lock.read_text() == drawn
    assert "compiling again" in done.stderr
    ids = dict(
        re.findall(r'\[vms\.(vm\d+)\]\nhost = "h\d+"\nmachine_id = "(\w+)"', drawn)
    )
    vm5 = (repo.out_dir / "vms" / "vm5.nix").read_text().replace("-", "")
    assert ids["vm5"] in vm5
    assert debris(repo.root) == []


def syscall_counts(repo, calls: str) -> dict[str, int]:
    """How often a clean `fleetc generate` makes each of `calls` (strace -c)."""
    log = repo.root.parent / "counts.log"
    subprocess.run(
        ["strace", "-c", "-o", str(log), "-e", f"trace={calls}", str(FLEETC)]
        + ["generate", "fleet.toml"],
        cwd=repo.fleet_dir,
        env=quiet_env(),
        check=True,
        capture_output=True,
    )
    counts = {}
    for line in log.read_text().splitlines():
        fields = line.split()
        if fields and fields[-1] in calls.split(","):
            counts[fields[-1]] = int(fields[3])
    return counts


def test_sigkill_at_each_kind_of_step_is_old_or_new_then_completed(tmp_path):
    """Deterministic kills (strace fault injection) at the n-th rename, unlink
    and write of a run, from the first rename (the pending list's; the second
    is the commit) to the last."""
    a, b = versions(tmp_path / "scratch", "repo-root", vms=40)
    counted = make_repo(tmp_path / "counted", "repo-root")
    steady(counted, a, b)
    counted.write_fleet(a.fleet)
    counted.generate()
    counted.write_fleet(b.fleet)
    counts = syscall_counts(counted, "rename,unlink,write")
    repo = make_repo(tmp_path / "killed", "repo-root")
    steady(repo, a, b)
    repo.write_fleet(a.fleet)
    repo.generate()
    renames = counts["rename"]
    points = [("rename", n) for n in (1, 2, renames // 2, renames - 1, renames)]
    points += [(call, max(1, counts[call] // 2)) for call in ("unlink", "write")]
    killed, settled = 0, a
    for call, when in points:
        target = b if settled is a else a
        repo.write_fleet(target.fleet)
        run = subprocess.run(
            ["strace", "-qq", "-o", os.devnull, "-e", f"trace={call}", "-e"]
            + [f"inject={call}:signal=KILL:when={when}", str(FLEETC), "generate"]
            + ["fleet.toml"],
            cwd=repo.fleet_dir,
            env=quiet_env(),
            capture_output=True,
        )
        killed += run.returncode != 0
        settled = check_after_kill(repo, a, b, target)
    assert killed >= len(points) - 1  # a later run may make fewer calls than counted
    repo.generate()
    assert repo.owned() == target.tree and repo.lock.read_bytes() == target.lock
    assert debris(repo.root, tmp_path / "killed") == []
