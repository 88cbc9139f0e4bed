"""The pre-commit hooks catch what reaches the commit (issue 21.3), run by the
real pre-commit as a commit runs them: on the staged files, with unstaged
changes stashed away (`pre-commit run` without `--files`).

- fleetc-check runs when only fleet.lock, a module or a generated file is
  staged, and fails on a hand-edited generated file committed alone;
- a regenerated lock or tree left unstaged is named with the `git add` that
  is missing, not "run fleetc generate" alone;
- with everything staged, both hooks pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.teams import BASE, CI, commit, generate, git

CHECK, GENERATE = "fleetc-check", "fleetc-generate"


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "fleet"
    path.mkdir()
    git(path, "init", "-q")
    (path / "fleet.toml").write_text(BASE)
    generate(path)
    commit(path, "fleet")
    return path


def add_vm(repo: Path) -> None:
    fleet = repo / "fleet.toml"
    fleet.write_text(fleet.read_text() + CI)
    generate(repo)


def test_a_hand_edited_generated_file_staged_alone_fails(repo, hooks):
    web = repo / "generated" / "vms" / "web.nix"
    web.write_text(web.read_text().replace("microvm.mem = 1024;", "microvm.mem = 8;"))
    git(repo, "add", "generated/vms/web.nix")
    done = hooks.run(repo, CHECK)
    assert done.returncode == 1, done.stdout
    assert "microvm.mem = 8;" in done.stdout  # the diff shows the edit
    assert "then stage them: `git add generated/vms/web.nix" in done.stdout


def test_a_lock_left_unstaged_is_named(repo, hooks):
    add_vm(repo)
    git(repo, "add", "fleet.toml", "generated")
    done = hooks.run(repo, CHECK)
    assert done.returncode == 1, done.stdout
    assert "`git add fleet.lock`" in done.stdout


def test_a_new_generated_file_left_untracked_is_named(repo, hooks):
    add_vm(repo)
    git(repo, "add", "-u")  # every tracked file, not the new one
    done = hooks.run(repo, CHECK)
    assert done.returncode == 1, done.stdout
    assert "regenerated but not staged: `git add generated/vms/ci.nix`" in done.stdout


def test_only_the_lock_staged_runs_the_check(repo, hooks):
    lock = repo / "fleet.lock"
    lock.write_text(lock.read_text().replace('host = "beta"', 'host = "alpha"'))
    git(repo, "add", "fleet.lock")
    done = hooks.run(repo, CHECK)
    assert done.returncode == 1, done.stdout
    assert "F807" in done.stdout  # the checksum: an edited lock never passes


def test_everything_staged_passes_both_hooks(repo, hooks):
    add_vm(repo)
    git(repo, "add", "-A")
    for name in (CHECK, GENERATE):
        done = hooks.run(repo, name)
        assert done.returncode == 0, done.stdout
        assert "Passed" in done.stdout


def test_generate_hook_regenerates_and_names_what_to_stage(repo, hooks):
    fleet = repo / "fleet.toml"
    fleet.write_text(fleet.read_text() + CI)
    git(repo, "add", "fleet.toml")
    done = hooks.run(repo, GENERATE)
    assert done.returncode == 1, done.stdout
    assert "not staged yet: `git add" in done.stdout
    git(repo, "add", "-A")
    assert hooks.run(repo, GENERATE).returncode == 0
