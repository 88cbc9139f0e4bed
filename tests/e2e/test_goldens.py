"""End-to-end goldens through the real CLI: cases and samples."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.goldens import (
    CASES,
    SAMPLES,
    case_dirs,
    read_tree,
    run_case,
    run_fleetc,
    sample_dirs,
)


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: p.name)
def test_case(case, tmp_path):
    out = tmp_path / "out"
    code, stderr = run_case(case, out)
    assert stderr == (case / "expected.stderr").read_text()
    assert read_tree(out) == read_tree(case / "expected")
    assert code == (0 if (case / "expected").is_dir() else 1)


@pytest.mark.parametrize("sample", sample_dirs(), ids=lambda p: p.name)
def test_sample_tree_is_current(sample):
    code, stdout, stderr = run_fleetc(sample, "generate", "fleet.toml", "--check")
    assert (code, stdout) == (0, ""), stderr
    assert (sample / "generated" / "flake.nix").is_file()


@pytest.mark.parametrize("sample", sample_dirs(), ids=lambda p: p.name)
def test_generation_is_stable(sample, tmp_path):
    """Like black: generating twice gives the same bytes, and the lock settles."""
    fleet = tmp_path / "fleet"
    shutil.copytree(sample, fleet, ignore=shutil.ignore_patterns("generated"))
    (fleet / "fleet.lock").unlink(missing_ok=True)
    trees = []
    for out in (tmp_path / "a", tmp_path / "b"):
        assert run_fleetc(fleet, "generate", "fleet.toml", "--out", str(out))[0] == 0
        trees.append(read_tree(out) | {"lock": (fleet / "fleet.lock").read_text()})
    assert trees[0] == trees[1]
    assert run_fleetc(fleet, "check", "fleet.toml", "--locked")[0] == 0


@pytest.mark.parametrize("sample", sample_dirs(), ids=lambda p: p.name)
def test_sample_lock_is_current(sample):
    code, _, stderr = run_fleetc(sample, "check", "fleet.toml", "--locked")
    assert code == 0, stderr


def test_every_checked_in_nix_file_parses():
    """The golden trees are what users review: all of them must be valid Nix."""
    files = sorted(SAMPLES.glob("*/generated/**/*.nix"))
    files += sorted(CASES.glob("*/expected/**/*.nix"))
    assert len(files) > 20
    done = subprocess.run(
        ["nix-instantiate", "--parse", *map(str, files)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
