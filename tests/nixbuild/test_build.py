"""`fleetc build` end to end with Debian's real Nix.

nixpkgs and microvm.nix cannot be fetched here (no network), so every build
overrides the inputs `nixpkgs` and `microvm` with the stand-in flakes in
tests/nix (a from-scratch module system whose toplevel and runners are real
derivations, and microvm.nix's option declarations generated from the option
data). Substituters are off (nixeval.NIX_CONFIG); nothing touches the network.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.nixeval import flake_options, nix_env, overrides
from tests.support.paths import SAMPLES

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


def git(cwd: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args]
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)


def commit(repo: Path, *paths: str) -> None:
    git(repo, "init", "-q")
    git(repo, "add", *paths)
    git(repo, "commit", "-qm", "fleet")


def in_store(name: str) -> list[Path]:
    """Every file called `name` in a flake source Nix copied into the store."""
    found = []
    for source in Path("/nix/store").glob("*-source"):
        for directory, _, files in os.walk(source):
            found += [Path(directory, name) for f in files if f == name]
    return found


def test_untracked_generated_files_in_a_git_repository_are_built(journald):
    """The flakes trap: git flakes ignore untracked files, and the generated tree
    here has never been added to git."""
    commit(journald, "fleet.toml", "modules")
    done = fleetc(journald, "build", "fleet.toml", "dns", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    assert table(done.stdout)["dns"][1] == "built"


def test_ignored_and_untracked_files_never_reach_the_store(journald):
    """Only `git ls-files` and the generated tree are staged: a mode-600 key that
    .gitignore lists, an ignored log and an untracked note stay out; a tracked
    file with the same kind of name is found, so the search does find files."""
    token = secrets.token_hex(8)
    secret = journald / f"secret-{token}.key"
    secret.write_text("-----BEGIN PRIVATE KEY-----\n")
    secret.chmod(0o600)
    (journald / f"ignored-{token}.log").write_text("ignored\n")
    (journald / f"notes-{token}.txt").write_text("untracked\n")
    (journald / f"tracked-{token}.txt").write_text("tracked\n")
    (journald / ".gitignore").write_text("*.key\n*.log\n")
    commit(journald, "fleet.toml", "modules", ".gitignore", f"tracked-{token}.txt")
    done = fleetc(journald, "build", "fleet.toml", "dns", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    assert in_store(f"tracked-{token}.txt") != []
    assert in_store(f"secret-{token}.key") == []
    assert in_store(f"ignored-{token}.log") == []
    assert in_store(f"notes-{token}.txt") == []


def test_outside_git_the_fleet_directory_is_staged_without_private_files(journald):
    """Like a `path:` flake of the fleet's directory, but a file only its owner
    may read is left out (and named): the store would make it world-readable.
    A module the fleet names is given to Nix whatever its mode."""
    token = secrets.token_hex(8)
    (journald / "modules" / "common.nix").chmod(0o600)
    secret = journald / f"secret-{token}.key"
    secret.write_text("-----BEGIN PRIVATE KEY-----\n")
    secret.chmod(0o600)
    (journald / f"notes-{token}.txt").write_text("readable by all\n")
    done = fleetc(journald, "build", "fleet.toml", "dns", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    assert in_store(f"notes-{token}.txt") != []
    assert in_store(f"secret-{token}.key") == []
    said = f"warning[F050]: `{secret.name}` is not given to Nix: only its owner"
    assert said in done.stderr
    assert "common.nix" not in done.stderr


def test_output_outside_the_repository_is_refused_before_nix(journald, tmp_path):
    """The old `make demo` layout: the generated flake would import
    ../<repo>/modules/..., which pure evaluation forbids."""
    commit(journald, "fleet.toml", "modules")
    out = tmp_path / "elsewhere"
    done = fleetc(journald, "build", "fleet.toml", "--out", str(out), "--", *OVERRIDES)
    assert done.returncode == 1, done.stderr
    assert "error[F024]" in done.stderr
    assert "--> fleet.toml:11:12" in done.stderr
    assert "NAME" not in done.stdout
    assert not out.exists()


def test_outside_git_an_output_beside_the_fleet_is_refused_before_nix(
    journald, tmp_path
):
    token = secrets.token_hex(8)
    (tmp_path / f"beside-{token}.txt").write_text("not the fleet's\n")
    out = tmp_path / "elsewhere"
    done = fleetc(journald, "build", "fleet.toml", "--out", str(out), "--", *OVERRIDES)
    assert done.returncode == 1, done.stderr
    assert "error[F024]" in done.stderr and "fleet's directory" in done.stderr
    assert in_store(f"beside-{token}.txt") == []


def test_output_outside_the_repository_without_file_modules_builds(journald, tmp_path):
    """Nothing beside the generated flake is needed: it is staged alone, and
    updateFlake, which cannot name the output's place, is warned about."""
    fleet = journald / "fleet.toml"
    fleet.write_text(fleet.read_text().replace('modules = ["modules/common.nix"]', ""))
    commit(journald, "fleet.toml")
    out = tmp_path / "elsewhere"
    done = fleetc(
        journald, "build", "fleet.toml", "dns", "--out", str(out), "--", *OVERRIDES
    )
    assert done.returncode == 0, done.stderr
    assert table(done.stdout)["dns"][1] == "built"
    assert "warning[F025]" in done.stderr


def test_an_untracked_module_is_an_error_before_nix(journald):
    """Nix is given only tracked files: the module would be missing there."""
    commit(journald, "fleet.toml")
    done = fleetc(journald, "build", "fleet.toml", "--", *OVERRIDES)
    assert done.returncode == 1, done.stderr
    assert "error[F023]: module `modules/common.nix` is not tracked by git" in (
        done.stderr
    )
    assert "--> fleet.toml:11:12" in done.stderr
    assert "NAME" not in done.stdout


def test_a_missing_module_is_reported_before_nix(journald):
    (journald / "modules" / "common.nix").unlink()
    done = fleetc(journald, "build", "fleet.toml", "--", *OVERRIDES)
    assert done.returncode == 1, done.stderr
    assert "error[F022]: module file `modules/common.nix` does not exist" in (
        done.stderr
    )
    assert "NAME" not in done.stdout


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
