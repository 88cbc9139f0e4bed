"""Pinned inputs (issue 20.1): `fleetc lock` and `fleetc update` with real Nix
2.8, offline: the fleet's inputs are `path:` flakes (the stand-ins in
tests/nix) and a `git+file:` repository made here, which Nix locks without a
network. flake.lock is Nix's file: `generate` never owns or rewrites it,
`check` and `generate --check` hold the fleet's inputs against it, `build`
uses it as it is (`--no-update-lock-file`) and never writes it, `plan` and
`diff` show what the next `fleetc lock` changes."""

from __future__ import annotations

import json
import sys
import subprocess
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.goldens import run_fleetc

NIX_ENV = nixeval.nix_env()


def fleetc(cwd: Path, *args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=cwd,
        env=NIX_ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout, done.stderr


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args]
    return subprocess.run(
        command, cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def commit_flake(repo: Path, value: int) -> str:
    (repo / "flake.nix").write_text(f"{{ outputs = _: {{ value = {value}; }}; }}\n")
    git(repo, "add", "flake.nix")
    git(repo, "commit", "-qm", f"value {value}")
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture()
def tools(tmp_path) -> Path:
    """A `git+file:` flake input with one commit."""
    repo = tmp_path / "tools"
    repo.mkdir()
    git(repo, "init", "-q")
    commit_flake(repo, 1)
    return repo


def fleet_text(tools: Path, extra: str = "tools") -> str:
    return f"""
[fleet]
name = "lab"
nixpkgs = "path:{nixeval.NIXPKGS}"
microvm = "path:{nixeval.MICROVM}"

[fleet.inputs.{extra}]
url = "git+file://{tools}"

[hosts.hv1]
machine_id = "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"
"""


@pytest.fixture()
def fleet(tmp_path, tools) -> Path:
    where = tmp_path / "fleet"
    where.mkdir()
    (where / "fleet.toml").write_text(fleet_text(tools))
    return where


def pinned(fleet: Path) -> dict:
    lock = json.loads((fleet / "generated" / "flake.lock").read_text())
    return {
        name: lock["nodes"][node]["locked"]
        for name, node in lock["nodes"]["root"]["inputs"].items()
    }


def test_lock_pins_every_input_and_generate_leaves_it_alone(fleet, tools):
    assert fleetc(fleet, "generate", "fleet.toml")[0] == 0
    code, _, stderr = fleetc(fleet, "lock", "fleet.toml")
    assert code == 0, stderr
    rev = git(tools, "rev-parse", "HEAD").strip()
    assert pinned(fleet)["tools"]["rev"] == rev
    assert sorted(pinned(fleet)) == ["microvm", "nixpkgs", "tools"]
    assert f"tools: pinned git+file://{tools} at {rev[:12]}" in stderr
    lock = (fleet / "generated" / "flake.lock").read_bytes()
    commit_flake(tools, 2)  # lock keeps what is pinned; generate never touches it
    code, _, stderr = fleetc(fleet, "lock", "fleet.toml")
    assert code == 0 and "every input as pinned before" in stderr
    (fleet / "fleet.toml").write_text(
        fleet_text(tools).replace("[hosts.hv1]", "[hosts.hv2]")
    )
    assert fleetc(fleet, "generate", "fleet.toml")[0] == 0
    assert (fleet / "generated" / "flake.lock").read_bytes() == lock
    manifest = json.loads((fleet / "generated" / ".fleetc-manifest.json").read_text())
    assert "flake.lock" not in manifest["files"]


def test_update_moves_the_named_input_and_says_old_and_new(fleet, tools):
    fleetc(fleet, "generate", "fleet.toml")
    fleetc(fleet, "lock", "fleet.toml")
    before = pinned(fleet)
    new = commit_flake(tools, 2)
    code, stdout, stderr = fleetc(
        fleet, "update", "fleet.toml", "tools", "--format", "json"
    )
    assert code == 0, stderr
    old = before["tools"]["rev"]
    assert f"tools: {old[:12]} (" in stderr and f" -> {new[:12]} (" in stderr
    after = pinned(fleet)
    assert after["tools"]["rev"] == new
    assert {k: v for k, v in after.items() if k != "tools"} == {
        k: v for k, v in before.items() if k != "tools"
    }
    [entry] = json.loads(stdout)["fleets"]
    assert [change["name"] for change in entry["inputs"]] == ["tools"]


def test_update_of_an_unknown_input_is_a_usage_error(fleet):
    code, _, stderr = fleetc(fleet, "update", "fleet.toml", "nixpks")
    assert code == 2
    assert (
        "no input named nixpks (the fleet declares nixpkgs, microvm, tools)" in stderr
    )


def test_check_warns_without_a_lock_and_fails_naming_the_input(fleet, tools):
    code, _, stderr = fleetc(fleet, "check", "fleet.toml")
    assert code == 0 and "warning[F060]: inputs float" in stderr
    fleetc(fleet, "generate", "fleet.toml")
    fleetc(fleet, "lock", "fleet.toml")
    assert fleetc(fleet, "check", "fleet.toml") == (0, "", "")
    (fleet / "fleet.toml").write_text(fleet_text(tools, extra="toolz"))
    code, _, stderr = fleetc(fleet, "check", "fleet.toml")
    assert code == 1
    assert "error[F061]: generated/flake.lock does not pin input `toolz`" in stderr
    assert "--> fleet.toml:7:2" in stderr  # [fleet.inputs.toolz]
    assert "error[F062]: generated/flake.lock pins input `tools`" in stderr
    assert "--> generated/flake.lock:" in stderr
    fleetc(fleet, "generate", "fleet.toml")
    code, _, stderr = fleetc(fleet, "generate", "fleet.toml", "--check")
    assert code == 1 and "F061" in stderr  # the tree is current, the lock is not


def test_a_changed_url_warns(fleet, tools):
    fleetc(fleet, "generate", "fleet.toml")
    fleetc(fleet, "lock", "fleet.toml")
    text = fleet_text(tools).replace(f"git+file://{tools}", f"git+file://{tools}?ref=x")
    (fleet / "fleet.toml").write_text(text)
    code, _, stderr = fleetc(fleet, "check", "fleet.toml")
    assert code == 0 and "warning[F063]" in stderr and "?ref=x" in stderr


@pytest.mark.parametrize(
    "text, why",
    [
        ("{", "not JSON"),
        ('{"nodes": {}}', "no root node"),
        (
            '{"nodes": {"root": {"inputs": {"tools": "gone"}}}, "root": "root"}',
            "names no node",
        ),
    ],
)
def test_a_lock_nix_did_not_write_is_refused(fleet, text, why):
    fleetc(fleet, "generate", "fleet.toml")
    (fleet / "generated" / "flake.lock").write_text(text)
    code, _, stderr = fleetc(fleet, "check", "fleet.toml")
    assert code == 1 and "error[F064]" in stderr and why in stderr


def test_a_linked_lock_is_never_read(fleet, tmp_path):
    fleetc(fleet, "generate", "fleet.toml")
    secret = tmp_path / "secret.json"
    secret.write_text('{"nodes": {}}')
    (fleet / "generated" / "flake.lock").symlink_to(secret)
    for command in ("check", "lock"):
        code, _, stderr = fleetc(fleet, command, "fleet.toml")
        assert code == 2 and "is a symbolic link" in stderr
    assert secret.read_text() == '{"nodes": {}}'


def test_build_uses_the_lock_as_it_is_and_never_writes_it(fleet, tools):
    code, _, stderr = fleetc(fleet, "build", "fleet.toml")
    assert code == 0, stderr
    assert not (fleet / "generated" / "flake.lock").exists()  # floated, unwritten
    fleetc(fleet, "lock", "fleet.toml")
    lock = (fleet / "generated" / "flake.lock").read_bytes()
    commit_flake(tools, 2)
    code, _, stderr = fleetc(fleet, "build", "fleet.toml")
    assert code == 0, stderr
    assert (fleet / "generated" / "flake.lock").read_bytes() == lock
    (fleet / "fleet.toml").write_text(fleet_text(tools, extra="toolz"))
    code, stdout, stderr = fleetc(fleet, "build", "fleet.toml")
    assert code == 1 and "F061" in stderr and "NAME" not in stdout  # before Nix


def test_plan_and_diff_show_what_the_next_lock_changes(fleet, tools):
    fleetc(fleet, "generate", "fleet.toml")
    fleetc(fleet, "lock", "fleet.toml")
    (fleet / "fleet.toml").write_text(fleet_text(tools, extra="toolz"))
    code, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml")
    assert code == 0
    assert (
        "Inputs (generated/flake.lock):\n"
        "  - tools  pinned, no longer declared\n"
        "  + toolz  git+file://" + str(tools) + " (not pinned yet)\n"
        "  (`fleetc lock` makes these changes)\n"
    ) in stdout
    code, _, stderr = run_fleetc(fleet, "diff", "fleet.toml")
    assert code == 0 and "fleetc: inputs: + toolz" in stderr


def test_nix_failing_to_lock_exits_3(fleet, tmp_path):
    text = fleet_text(tmp_path / "missing")
    (fleet / "fleet.toml").write_text(text)
    code, _, stderr = fleetc(fleet, "lock", "fleet.toml")
    assert code == 3 and "could not" in stderr
    assert not (fleet / "generated" / "flake.lock").exists()
