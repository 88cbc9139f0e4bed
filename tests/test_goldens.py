"""End-to-end goldens through the real CLI: cases and samples."""

from __future__ import annotations

import pytest

from goldens import case_dirs, read_tree, run_case, run_fleetc, sample_dirs


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
    """Like black: generating twice gives the same bytes."""
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert run_fleetc(sample, "generate", "fleet.toml", "--out", str(out))[0] == 0
    assert read_tree(first) == read_tree(second)
