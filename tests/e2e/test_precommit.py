"""The repository's pre-commit hooks, run by the real pre-commit (from PyPI)
from a config naming this checkout (tests/support/precommit.py), in a scratch
git repository holding a fleet.

pre-commit installs fleetc into its own environment from this repository, so
the test also proves `pip install .` gives a working `fleetc`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import SAMPLES

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
TWINS = ("fleet.toml", "fleet.fleet")


def sh(cwd: Path, *command: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def fleet_repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("fleet-repo")
    skip = shutil.ignore_patterns("generated", "fleet.lock")
    shutil.copytree(SAMPLES / "journald", repo, dirs_exist_ok=True, ignore=skip)
    # In the repository first: updateFlake then carries dir=generated.
    sh(repo, *GIT, "init", "-q")
    fleetc = [sys.executable, "-m", "fleetc", "generate", "fleet.toml"]
    assert sh(repo, *fleetc).returncode == 0
    sh(repo, *GIT, "add", ".")
    assert sh(repo, *GIT, "commit", "-qm", "fleet").returncode == 0
    return repo


@pytest.fixture(scope="module")
def samples_repo(tmp_path_factory) -> Path:
    """Every sample, tree and lock as checked in, at the same path in a git repository
    (so that `dir=samples/<name>/generated` in the trees stays true)."""
    repo = tmp_path_factory.mktemp("samples-repo")
    shutil.copytree(SAMPLES, repo / "samples")
    sh(repo, *GIT, "init", "-q")
    sh(repo, *GIT, "add", ".")
    assert sh(repo, *GIT, "commit", "-qm", "samples").returncode == 0
    return repo


def test_hooks_pass_on_every_sample_with_both_twins(samples_repo, hooks):
    """Both twins of every sample in one run, as pre-commit passes them when a
    commit touches both: the tree must not flip between them."""
    twins = sorted(
        p.relative_to(samples_repo).as_posix()
        for p in (samples_repo / "samples").glob("*/fleet.*")
        if p.suffix in (".toml", ".fleet")
    )
    assert len(twins) == 2 * len(list((samples_repo / "samples").iterdir()))
    for hook in ("fleetc-check", "fleetc-generate"):
        done = hooks.run(samples_repo, hook, files=twins)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Passed" in done.stdout
    status = sh(samples_repo, *GIT, "status", "--porcelain")
    assert status.stdout == ""


def test_hooks_pass_on_a_current_tree_then_fail_when_it_is_stale(fleet_repo, hooks):
    for hook in ("fleetc-check", "fleetc-generate"):
        done = hooks.run(fleet_repo, hook, files=TWINS)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Passed" in done.stdout

    # Both twins change: a twin left behind would be an error of its own (F035).
    for name, old, new in [
        ("fleet.toml", "mem = 2048", "mem = 3072"),
        ("fleet.fleet", "mem 2048", "mem 3072"),
    ]:
        fleet = fleet_repo / name
        fleet.write_text(fleet.read_text().replace(old, new))

    check = hooks.run(fleet_repo, "fleetc-check", files=TWINS)
    assert check.returncode == 1, check.stdout
    assert "Failed" in check.stdout
    assert "-    microvm.mem = 2048;" in check.stdout
    assert "+    microvm.mem = 3072;" in check.stdout

    generate = hooks.run(fleet_repo, "fleetc-generate", files=TWINS)
    assert generate.returncode == 1, generate.stdout
    assert "generated files changed" in generate.stdout
    # Like a formatter: the hook fixed the tree; what it wrote must be staged
    # too (it says so), and then the next run passes.
    assert "not staged yet: `git add " in generate.stdout
    sh(fleet_repo, *GIT, "add", "-A")
    again = hooks.run(fleet_repo, "fleetc-generate", files=TWINS)
    assert again.returncode == 0, again.stdout
