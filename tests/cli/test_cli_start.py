"""A newcomer's first commands (issue 23.3), through the real `fleetc` in real
git repositories: `init`, a fleet file found when none is named, `explain
--list`, and `check`'s closing line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.core.diagnostics import CODES

from tests.support import nixeval
from tests.support.paths import CASES, ROOT


def fleetc(cwd: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture()
def repo(tmp_path) -> Path:
    root = tmp_path / "ops"
    root.mkdir()
    git(root, "init", "-q")
    return root


# -- init -------------------------------------------------------------------------


def test_init_writes_a_fleet_that_checks_clean_and_generates(repo):
    done = fleetc(repo, "init")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[:3] == [
        "fleetc: wrote fleet.toml",
        "fleetc: wrote .gitignore",
        "fleetc: wrote .pre-commit-config.yaml",
    ]
    assert 'name = "ops"' in (repo / "fleet.toml").read_text()
    check = fleetc(repo, "check")
    assert (check.returncode, check.stderr) == (
        0,
        "fleetc: using fleet.toml\n"
        "fleetc: fleet.toml: 1 host, 1 VM, 0 warnings (1 acknowledged)\n",
    )
    assert fleetc(repo, "generate").returncode == 0


def test_the_starters_allowance_of_floating_inputs_asks_to_go_once_pinned(repo):
    """The starter acknowledges F060 until `fleetc lock`; then F091 says the
    allowance is left over, at the line to remove."""
    assert fleetc(repo, "init").returncode == 0
    fleet = repo / "fleet.toml"
    pins = f'nixpkgs = "path:{nixeval.NIXPKGS}"\nmicrovm = "path:{nixeval.MICROVM}"\n'
    fleet.write_text(fleet.read_text().replace("[fleet]\n", "[fleet]\n" + pins))
    env = nixeval.nix_env()
    assert fleetc(repo, "generate", env=env).returncode == 0
    assert fleetc(repo, "lock", env=env).returncode == 0
    check = fleetc(repo, "check", env=env)
    line = fleet.read_text().splitlines().index('allow = ["F060"]') + 1
    assert check.returncode == 0
    assert "warning[F091]: allow names F060, but no warning F060 is raised" in (
        check.stderr
    )
    assert f"--> fleet.toml:{line}:10" in check.stderr


def test_init_ignores_fleetcs_bookkeeping_and_not_what_is_committed(repo):
    assert fleetc(repo, "init").returncode == 0
    assert fleetc(repo, "generate").returncode == 0
    bookkeeping = [
        "generated/.fleetc-journal.json",
        "generated/.fleetc-pending.json",
        "generated/.flake.nix.fleetc-new",
        ".fleet.lock.fleetc-new",
    ]
    for name in bookkeeping:
        (repo / name).write_text("{}")
    committed = ["fleet.toml", "fleet.lock", "generated/flake.nix"]
    committed.append("generated/.fleetc-manifest.json")
    ignored = subprocess.run(
        ["git", "check-ignore", *bookkeeping, *committed],
        cwd=repo,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert ignored == bookkeeping


def test_init_writes_a_pre_commit_config_using_fleetcs_hooks(repo):
    assert fleetc(repo, "init").returncode == 0
    config = repo / ".pre-commit-config.yaml"
    pre_commit = Path(sys.executable).parent / "pre-commit"
    done = subprocess.run(
        [str(pre_commit), "validate-config", str(config)], capture_output=True
    )
    assert done.returncode == 0, done.stdout
    hooks = ROOT / ".pre-commit-hooks.yaml"
    assert "id: fleetc-check" in hooks.read_text()
    assert "- id: fleetc-check" in config.read_text()


def test_init_never_overwrites_and_says_what_it_kept(repo):
    (repo / ".gitignore").write_text("mine\n")
    (repo / "fleet.toml").symlink_to("/etc/passwd-not-there")
    done = fleetc(repo, "init")
    assert done.returncode == 0
    assert "fleetc: kept fleet.toml (it exists)" in done.stderr
    assert "fleetc: kept .gitignore (it exists); it should ignore" in done.stderr
    assert (repo / ".gitignore").read_text() == "mine\n"
    assert os.readlink(repo / "fleet.toml") == "/etc/passwd-not-there"
    assert not os.path.exists("/etc/passwd-not-there")
    assert "fleetc: wrote .pre-commit-config.yaml" in done.stderr


def test_init_beside_a_dsl_fleet_writes_no_twin(repo):
    (repo / "fleet.fleet").write_text("fleet x {\n}\n")
    done = fleetc(repo, "init")
    assert "kept fleet.fleet; no fleet.toml written beside it" in done.stderr
    assert not (repo / "fleet.toml").exists()


def test_init_in_a_missing_directory_is_a_usage_error(tmp_path):
    done = fleetc(tmp_path, "init", "nowhere")
    assert (done.returncode, done.stderr) == (
        2,
        "fleetc: no directory nowhere: create it first\n",
    )


# -- finding the fleet file -------------------------------------------------------


def test_a_fleet_file_is_found_in_a_parent_up_to_the_repository_root(repo):
    fleet = (CASES / "minimal-allocated" / "fleet.toml").read_text()
    (repo / "fleet.toml").write_text(fleet)
    deeper = repo / "hosts" / "notes"
    deeper.mkdir(parents=True)
    done = fleetc(deeper, "check")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("fleetc: using ../../fleet.toml\n")
    generated = fleetc(deeper, "generate")
    assert generated.returncode == 0 and (repo / "generated" / "flake.nix").exists()


def test_fleet_toml_is_taken_before_fleet_fleet_and_the_nearest_first(repo):
    (repo / "fleet.fleet").write_text("fleet outer {\n}\n")
    inner = repo / "inner"
    inner.mkdir()
    (inner / "fleet.fleet").write_text("fleet inner {\n}\n")
    (inner / "fleet.toml").write_text('[fleet]\nname = "inner"\n')
    done = fleetc(inner, "graph")
    assert done.stderr.startswith("fleetc: using fleet.toml\n")


def test_the_search_stops_at_the_repository_root(tmp_path, repo):
    (tmp_path / "fleet.toml").write_text('[fleet]\nname = "outside"\n')
    done = fleetc(repo, "check")
    assert done.returncode == 2
    assert done.stderr == (
        f"fleetc: no FLEET given, and no fleet.toml or fleet.fleet in {repo},"
        " the repository's root; name one, or run `fleetc init` to write"
        " a starter fleet.toml\n"
    )
    (repo / "sub").mkdir()
    done = fleetc(repo / "sub", "check")
    assert f"in {repo / 'sub'} or its parents up to the repository's root {repo};" in (
        done.stderr
    )


def test_outside_a_repository_only_the_current_directory_is_looked_in(tmp_path):
    (tmp_path / "fleet.toml").write_text('[fleet]\nname = "above"\n')
    below = tmp_path / "below"
    below.mkdir()
    done = fleetc(below, "check", "--format", "json")
    assert done.returncode == 2
    [problem] = json.loads(done.stdout)["diagnostics"]
    assert problem["code"] == "F037"
    assert f"in {below} (outside a git repository: there only);" in problem["message"]


def test_a_named_fleet_is_never_searched_for(repo):
    done = fleetc(repo, "check", "missing.toml")
    assert done.returncode == 2 and "using" not in done.stderr
    assert "cannot read missing.toml" in done.stderr


# -- explain --list, check's last line ---------------------------------------------


def test_explain_lists_every_code_with_its_title(tmp_path):
    done = fleetc(tmp_path, "explain", "--list")
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"{c}  {t}" for c, t in CODES.items()]
    both = fleetc(tmp_path, "explain", "F203", "--list")
    assert both.returncode == 2 and "not both" in both.stderr
    assert fleetc(tmp_path, "explain").returncode == 2


def test_check_counts_hosts_vms_and_warnings_on_success(repo):
    text = (CASES / "minimal-allocated" / "fleet.toml").read_text()
    text = text.replace('uplink = "eth0"\n', "")  # the VMs' bridge: F217 each
    (repo / "fleet.toml").write_text(text)
    done = fleetc(repo, "check", "fleet.toml")
    assert done.returncode == 0
    # F217 twice, and F060: no flake.lock pins the inputs yet
    assert (
        done.stderr.splitlines()[-1] == "fleetc: fleet.toml: 1 host, 2 VMs, 3 warnings"
    )
    data = json.loads(fleetc(repo, "check", "fleet.toml", "--format", "json").stdout)
    assert (data["warnings"], data["fleets"][0]["acknowledged"]) == (3, 0)


def test_check_says_nothing_more_on_errors(repo):
    (repo / "fleet.toml").write_text('[fleet]\nname = "t"\nnix_path = "x"\n')
    done = fleetc(repo, "check", "fleet.toml")
    assert done.returncode == 1 and done.stderr.endswith("fleetc: 1 error\n")
