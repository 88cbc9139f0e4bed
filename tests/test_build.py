"""`fleetc build` end to end with Debian's real Nix.

nixpkgs and microvm.nix cannot be fetched here (no network), so every build
overrides the inputs `nixpkgs` and `microvm` with the stand-in flakes in
tests/nix (a from-scratch module system whose toplevel and runners are real
derivations, and microvm.nix's option declarations generated from the option
data). Substituters are off (nixeval.NIX_CONFIG); nothing touches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goldens import SAMPLES
from nixeval import flake_options, nix_env, overrides

OVERRIDES = flake_options(overrides("current"))


def fleetc(cwd: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=cwd,
        env=env or nix_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def table(stdout: str) -> dict[str, tuple[str, ...]]:
    """NAME -> (KIND, RESULT, OUTPUT...) from the summary table."""
    lines = stdout.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("NAME"))
    return {row.split()[0]: tuple(row.split()[1:]) for row in lines[start + 1 :]}


@pytest.fixture()
def journald(tmp_path) -> Path:
    fleet = tmp_path / "fleet"
    # Without fleet.fleet: the tests edit fleet.toml, and a twin left behind
    # would be an error of its own (F035).
    skip = shutil.ignore_patterns("generated", "fleet.fleet")
    shutil.copytree(SAMPLES / "journald", fleet, ignore=skip)
    return fleet


def test_builds_every_runner_and_host_to_real_store_paths(journald):
    done = fleetc(journald, "build", "fleet.toml", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    rows = table(done.stdout)
    assert sorted(rows) == ["alpha", "beta", "ci", "db", "dns", "git", "metrics", "web"]
    assert {rows[n][0] for n in ("alpha", "beta")} == {"host"}
    for _kind, result, out in rows.values():
        assert result == "built"
        assert out.startswith("/nix/store/") and os.path.isdir(out)


def test_named_targets_build_alone_the_rest_is_skipped(journald):
    done = fleetc(journald, "build", "fleet.toml", "web", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    rows = table(done.stdout)
    assert rows["web"][:2] == ("vm", "built")
    assert {rows[n][1] for n in rows if n != "web"} == {"skipped"}


def test_untracked_files_in_a_git_repository_are_built(journald):
    """The flakes trap: git flakes ignore untracked files, and the generated tree
    and modules here have never been added to git."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=journald, check=True)
    subprocess.run([*git, "add", "fleet.toml"], cwd=journald, check=True)
    subprocess.run([*git, "commit", "-qm", "fleet"], cwd=journald, check=True)
    done = fleetc(journald, "build", "fleet.toml", "dns", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    assert table(done.stdout)["dns"][1] == "built"


def test_a_type_error_fails_the_build_with_nix_message(journald):
    """fleetc's checks pass; the config a user module makes is wrong for microvm.nix."""
    (journald / "modules" / "bad.nix").write_text(
        '{ lib, ... }: { microvm.vcpu = lib.mkForce "two"; }\n'
    )
    fleet = journald / "fleet.toml"
    fleet.write_text(
        fleet.read_text().replace(
            "[defaults.vm]", 'vm_modules = ["modules/bad.nix"]\n\n[defaults.vm]'
        )
    )
    done = fleetc(journald, "build", "fleet.toml", "--", *OVERRIDES)
    assert done.returncode == 3
    assert "microvm.vcpu" in done.stderr
    assert "is not of type" in done.stderr
    assert {row[1] for row in table(done.stdout).values()} == {"failed"}


def test_unknown_name_is_a_usage_error(journald):
    done = fleetc(journald, "build", "fleet.toml", "nosuchvm", "--", *OVERRIDES)
    assert done.returncode == 2
    assert "nosuchvm" in done.stderr


def test_missing_nix_is_one_clear_sentence(journald, tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    env = {**nix_env(), "PATH": str(bare)}
    done = fleetc(journald, "build", "fleet.toml", env=env)
    assert done.returncode == 2
    assert "`nix` was not found" in done.stderr
    assert "apt-get install nix-bin" in done.stderr


def test_one_broken_vm_does_not_stop_the_others(journald):
    """--keep-going for evaluation too: the VM whose config throws, and its host
    (whose toplevel includes the VM's runner), fail; everything else builds."""
    (journald / "modules" / "bad.nix").write_text(
        '{ lib, ... }: { microvm.vcpu = lib.mkForce "two"; }\n'
    )
    fleet = journald / "fleet.toml"
    fleet.write_text(
        fleet.read_text().replace(
            "[vms.metrics]\n", '[vms.metrics]\nmodules = ["modules/bad.nix"]\n'
        )
    )
    done = fleetc(journald, "build", "fleet.toml", "--", *OVERRIDES)
    assert done.returncode == 3
    assert "microvm.vcpu" in done.stderr and "is not of type" in done.stderr
    results = {name: row[1] for name, row in table(done.stdout).items()}
    assert results == {
        "alpha": "built",
        "beta": "failed",
        "ci": "built",
        "db": "built",
        "dns": "built",
        "git": "built",
        "metrics": "failed",
        "web": "built",
    }
