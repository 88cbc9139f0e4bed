"""`[fleet] embed = true` (issue 20.2): the repository's own root flake carries
the fleet. fleetc writes no flake.nix; the root flake declares the inputs and
calls `import ./<output>/outputs.nix inputs`, so `self` is the repository
(a module may read `self + "/data/..."`, as DD-IX's modules/data does) and
its one flake.lock pins everything. `check` reads that lock and names each
input the fleet needs and the root flake lacks, with the lines to add;
`build` evaluates the root flake; updateFlake is the root flake's URL.
Real git, real Nix 2.8 against the stand-ins, offline (`path:` inputs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.goldens import run_fleetc

FLEET = """
[fleet]
name = "lab"
embed = true
flake = "git+https://git.example.org/org/infra"
host_modules = ["../modules/data.nix"]

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.hv1]
machine_id = "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"

[vms.web]
host = "hv1"
machine_id = "0123456789abcdef0123456789abcdef"
interfaces = [{ network = "lan", ipv4 = "10.0.0.10", mac = "02:00:00:00:00:10", id = "vm-web" }]
"""
# A module as DD-IX's: it reads a file of the repository through `self`.
DATA_MODULE = """{ self, ... }:
{
  networking.domain = (import (self + "/data/site.nix")).domain;
}
"""
MICROVM_INPUT = f"""    microvm = {{
      url = "path:{nixeval.MICROVM}";
      inputs.nixpkgs.follows = "nixpkgs";
    }};
"""


def root_flake(inputs: str) -> str:
    return (
        "{\n  inputs = {\n"
        f'    nixpkgs.url = "path:{nixeval.NIXPKGS}";\n'
        f"{inputs}"
        "  };\n"
        "  outputs = inputs: import ./ops/generated/outputs.nix inputs;\n"
        "}\n"
    )


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def nix(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["nix", *args], cwd=repo, env=nixeval.nix_env(), capture_output=True, text=True
    )


def fleetc(cwd: Path, *args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=cwd,
        env=nixeval.nix_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture()
def repo(tmp_path) -> Path:
    root = tmp_path / "infra"
    (root / "ops").mkdir(parents=True)
    (root / "modules").mkdir()
    (root / "data").mkdir()
    (root / "ops" / "fleet.toml").write_text(FLEET)
    (root / "modules" / "data.nix").write_text(DATA_MODULE)
    (root / "data" / "site.nix").write_text('{ domain = "site.example.org"; }\n')
    (root / "flake.nix").write_text(root_flake(MICROVM_INPUT))
    git(root, "init", "-q")
    return root


def test_no_flake_nix_is_written_and_update_flake_is_the_roots(repo):
    code, _, stderr = run_fleetc(repo, "generate", "ops/fleet.toml")
    assert code == 0, stderr
    generated = repo / "ops" / "generated"
    assert not (generated / "flake.nix").exists()
    assert (generated / "outputs.nix").is_file()
    host = (generated / "hosts" / "hv1.nix").read_text()
    assert 'updateFlake = "git+https://git.example.org/org/infra";' in host


def test_switching_embed_on_removes_the_generated_flake(repo):
    (repo / "ops" / "fleet.toml").write_text(FLEET.replace("embed = true\n", ""))
    run_fleetc(repo, "generate", "ops/fleet.toml")
    assert (repo / "ops" / "generated" / "flake.nix").is_file()
    (repo / "ops" / "fleet.toml").write_text(FLEET)
    code, _, stderr = run_fleetc(repo, "generate", "ops/fleet.toml")
    assert code == 0 and "removed ops/generated/flake.nix" in stderr
    assert not (repo / "ops" / "generated" / "flake.nix").exists()


def test_check_names_the_missing_inputs_with_lines_that_work(repo):
    (repo / "flake.nix").write_text(root_flake(""))
    git(repo, "add", "-A")
    assert nix(repo, "flake", "lock").returncode == 0
    code, _, stderr = fleetc(repo, "check", "ops/fleet.toml")
    assert code == 1
    assert "error[F065]: the repository's flake has no input `microvm`" in stderr
    lines = stderr.split("then run `nix flake lock`:\n")[1].split("\n\n")[0]
    assert lines.splitlines()[0] == "    microvm = {"
    # The lines, pasted as they are (with the stand-in's URL), lock and check.
    pasted = lines.replace("github:microvm-nix/microvm.nix", f"path:{nixeval.MICROVM}")
    (repo / "flake.nix").write_text(root_flake(pasted + "\n"))
    assert nix(repo, "flake", "lock").returncode == 0
    assert fleetc(repo, "check", "ops/fleet.toml") == (0, "", "")


def test_without_a_root_flake_embed_is_an_error(repo):
    (repo / "flake.nix").unlink()
    code, _, stderr = fleetc(repo, "check", "ops/fleet.toml")
    assert code == 1 and "error[F066]" in stderr and "--> ops/fleet.toml:4:9" in stderr


def test_an_output_outside_the_repository_cannot_be_embedded(repo, tmp_path):
    code, _, stderr = fleetc(
        repo, "check", "ops/fleet.toml", "--out", str(tmp_path / "elsewhere")
    )
    assert code == 1 and "error[F067]" in stderr


def test_lock_and_update_leave_the_roots_lock_to_nix(repo):
    for command in ("lock", "update"):
        code, _, stderr = fleetc(repo, command, "ops/fleet.toml")
        assert code == 2 and "run `nix flake lock` there" in stderr


def test_build_goes_through_the_root_flake_with_self_the_repository(repo):
    run_fleetc(repo, "generate", "ops/fleet.toml")
    git(repo, "add", "-A")
    assert nix(repo, "flake", "lock").returncode == 0
    git(repo, "add", "flake.lock")
    lock = (repo / "flake.lock").read_bytes()
    code, stdout, stderr = fleetc(repo, "build", "ops/fleet.toml")
    assert code == 0, stderr
    assert [row.split()[2] for row in stdout.splitlines()[1:]] == ["built", "built"]
    host = stdout.splitlines()[1].split()[3]
    [manifest] = nixeval.manifests([Path(host)])
    assert manifest["domain"] == "site.example.org"  # read through self
    assert (repo / "flake.lock").read_bytes() == lock


def test_plan_deploys_from_the_repository(repo):
    code, stdout, _ = run_fleetc(repo, "plan", "ops/fleet.toml")
    assert code == 0
    assert "nixos-rebuild switch --flake .#hv1 --target-host hv1" in stdout
