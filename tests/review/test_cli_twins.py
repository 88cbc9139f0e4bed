"""Twin fleet files: `fleet.toml` and `fleet.fleet` in one directory.

Either twin must write the same bytes (tree and fleet.lock), or tools that run
on whichever changed flip the tree between them; twins that describe different
fleets are refused with a located error naming the first line that differs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.goldens import CASES, SAMPLES, run_fleetc, sample_dirs


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("sample", sample_dirs(), ids=lambda p: p.name)
def test_either_twin_writes_the_same_bytes(sample, tmp_path):
    repo = tmp_path / "repo"
    skip = shutil.ignore_patterns("generated", "fleet.lock")
    shutil.copytree(sample, repo / "ops", ignore=skip)
    (repo / ".git").mkdir()
    ops = repo / "ops"
    written = []
    for twin in ("fleet.toml", "fleet.fleet"):
        shutil.rmtree(ops / "generated", ignore_errors=True)
        (ops / "fleet.lock").unlink(missing_ok=True)
        code, _, stderr = run_fleetc(ops, "generate", twin)
        assert code == 0, stderr
        written.append(snapshot(ops))
    assert written[0] == written[1]
    assert b"fleet.toml or fleet.fleet" in written[0]["fleet.lock"]


@pytest.mark.parametrize("sample", sample_dirs(), ids=lambda p: p.name)
def test_generate_check_passes_on_both_twins_of_every_sample(sample):
    for twin in ("fleet.toml", "fleet.fleet"):
        code, stdout, stderr = run_fleetc(sample, "generate", twin, "--check")
        assert (code, stdout) == (0, ""), stderr


@pytest.fixture()
def twins(tmp_path) -> Path:
    """The journald sample's twins, generated from fleet.toml."""
    skip = shutil.ignore_patterns("generated", "fleet.lock")
    shutil.copytree(SAMPLES / "journald", tmp_path / "ops", ignore=skip)
    ops = tmp_path / "ops"
    assert run_fleetc(ops, "generate", "fleet.toml")[0] == 0
    return ops


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_twins_that_differ_are_refused_at_the_twin(twins):
    edit(twins / "fleet.fleet", "mem 2048", "mem 3072")
    before = snapshot(twins / "generated")
    code, _, stderr = run_fleetc(twins, "generate", "fleet.toml")
    assert code == 1
    assert stderr.startswith(
        "error[F035]: fleet.fleet and fleet.toml describe different fleets:"
        " generated/vms/git.nix first differs at line "
    )
    assert " --> fleet.fleet:1:1" in stderr
    assert "this file gives `microvm.mem = 3072;`, fleet.toml gives" in stderr
    assert "`microvm.mem = 2048;`" in stderr
    assert snapshot(twins / "generated") == before

    # From the other side, and in JSON: located in the twin that was not read.
    code, stdout, _ = run_fleetc(twins, "check", "fleet.fleet", "--format", "json")
    [problem] = json.loads(stdout)["diagnostics"]
    assert (code, problem["code"]) == (1, "F035")
    assert problem["location"] == {"file": "fleet.toml", "line": 1, "column": 1}


def test_a_twin_with_errors_is_named(twins):
    edit(twins / "fleet.fleet", "mem 2048", "mem lots")
    code, _, stderr = run_fleetc(twins, "diff", "fleet.toml")
    assert code == 1
    assert "error[F036]: the twin fleet file fleet.fleet has errors" in stderr
    assert "first: F003" in stderr and "at fleet.fleet:" in stderr


def test_a_value_changed_in_one_twin_only_is_refused(twins):
    """The twin reads the lock the file read would write; its own written
    value wins there, so the trees differ where the value is used."""
    edit(
        twins / "fleet.toml",
        'machine_id = "2e1c8d3b5f60470a9b1c2d3e4f5a6b7c"',
        'machine_id = "0123456789abcdef0123456789abcdef"',
    )
    code, _, stderr = run_fleetc(twins, "generate", "fleet.toml")
    assert code == 1
    assert "error[F035]: fleet.fleet and fleet.toml describe different fleets" in stderr
    assert "0123456789abcdef0123456789abcdef" in stderr


def test_random_machine_ids_do_not_split_twins(tmp_path):
    """Random values are drawn once and reach the twin through the lock."""
    fleet = tmp_path / "fleet.toml"
    text = (CASES / "minimal-allocated" / "fleet.toml").read_text()
    fleet.write_text(text.replace("[fleet]\n", '[fleet]\nmachine_ids = "random"\n'))
    assert (
        run_fleetc(
            tmp_path, "convert", "fleet.toml", "--to", "fleet", "-o", "fleet.fleet"
        )[0]
        == 0
    )
    code, _, stderr = run_fleetc(tmp_path, "generate", "fleet.fleet")
    assert code == 0, stderr
    assert run_fleetc(tmp_path, "generate", "fleet.toml", "--check")[:2] == (0, "")


def test_a_twin_that_is_the_same_file_is_no_twin(tmp_path):
    shutil.copy(CASES / "minimal-allocated" / "fleet.toml", tmp_path / "fleet.toml")
    (tmp_path / "fleet.fleet").symlink_to("fleet.toml")
    code, _, stderr = run_fleetc(tmp_path, "check", "fleet.toml")
    assert code == 0, stderr
