"""`fleetc setup-git` and the merge driver it registers, `fleetc merge-lock`
(issue 21.2): idempotent, says what it changed, and git applies it; the
driver merges a clean lock itself, leaves the rest for `fleetc generate`,
and refuses any path git would not give it. Real git, real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.lock.seal import seal
from tests.support.teams import (
    ADD_CI,
    BASE,
    Scenario,
    base_repo,
    branch,
    commit,
    fleetc,
    generate,
    git,
    lock_at,
)

DB = '[vms.db]\nhost = "beta"\ninterfaces = [{ network = "lan" }]\n'
REMOVE_DB = Scenario("removed", ADD_CI, lambda t: t.replace(DB, ""), lambda t: t)


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "fleet"
    path.mkdir()
    git(path, "init", "-q")
    (path / "fleet.toml").write_text(BASE)
    generate(path)
    commit(path, "fleet")
    return path


def merge_lock(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """The driver as git runs it: a process in the top of the work tree."""
    return subprocess.run(
        [sys.executable, "-m", "fleetc", "merge-lock", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_setup_git_says_what_it_changed_then_that_nothing_did(repo):
    status, _, stderr = fleetc(repo, "setup-git", "fleet.toml")
    assert status == 0, stderr
    assert "setup-git: .git/config: merge.fleetc-lock.driver = " in stderr
    assert "setup-git: .gitattributes: /fleet.lock merge=fleetc-lock" in stderr
    assert "/generated/** linguist-generated -merge" in stderr
    attributes = (repo / ".gitattributes").read_text()
    status, _, stderr = fleetc(repo, "setup-git", "fleet.toml")
    assert status == 0
    assert "git was set up already (nothing changed)" in stderr
    assert (repo / ".gitattributes").read_text() == attributes
    said = git(repo, "check-attr", "-a", "fleet.lock", "generated/vms/web.nix").stdout
    assert "fleet.lock: merge: fleetc-lock" in said
    assert "generated/vms/web.nix: merge: unset" in said
    assert "generated/vms/web.nix: linguist-generated: set" in said


def test_setup_git_keeps_what_gitattributes_held(repo):
    (repo / ".gitattributes").write_text("*.png binary")  # no newline at the end
    assert fleetc(repo, "setup-git", "fleet.toml")[0] == 0
    lines = (repo / ".gitattributes").read_text().splitlines()
    assert lines[0] == "*.png binary"
    assert "/fleet.lock merge=fleetc-lock" in lines


def test_a_later_attribute_that_wins_is_named(repo):
    assert fleetc(repo, "setup-git", "fleet.toml")[0] == 0
    nested = repo / "generated" / ".gitattributes"
    nested.write_text("* merge=union\n")
    _, _, stderr = fleetc(repo, "setup-git", "fleet.toml")
    assert "git does not apply it: generated/flake.nix: merge is union" in stderr


def test_an_output_beside_the_fleet_file_is_named_entry_by_entry(tmp_path):
    repo = tmp_path / "fleet"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "fleet.toml").write_text(
        BASE.replace('name = "team"', 'name = "team"\noutput = "."')
    )
    generate(repo)
    status, _, stderr = fleetc(repo, "setup-git", "fleet.toml")
    assert status == 0, stderr
    text = (repo / ".gitattributes").read_text()
    assert "/flake.nix linguist-generated -merge" in text
    assert "/vms/** linguist-generated -merge" in text
    assert "\n/** " not in text and "fleet.toml" not in text


def test_setup_git_outside_git_is_refused(tmp_path):
    (tmp_path / "fleet.toml").write_text(BASE)
    status, _, stderr = fleetc(tmp_path, "setup-git", "fleet.toml")
    assert status == 2
    assert "not in a git repository" in stderr
    assert not (tmp_path / ".gitattributes").exists()


def test_the_driver_merges_a_clean_lock_itself(tmp_path):
    """One branch adds a VM, the other removes one: the driver merges
    fleet.lock (sealed, no markers), git marks only generated files."""
    repo = base_repo(tmp_path / "repo", REMOVE_DB, setup_git=True)
    branch(repo, "theirs", REMOVE_DB.theirs)
    branch(repo, "ours", REMOVE_DB.ours)
    git(repo, "merge", "--no-edit", "theirs", check=False)
    unmerged = git(repo, "ls-files", "-u").stdout
    assert "fleet.lock" not in unmerged and "generated/" in unmerged
    merged = lock_at(repo, ":0:fleet.lock")  # staged: parses, sealed
    assert set(merged.vms) == {"ci", "git", "web"}
    assert ("db", "beta") in merged.retired


def sealed(text: str) -> str:
    """`text` (a lock) edited, sealed again as fleetc seals it."""
    return seal(text[: text.rindex("# sha256: ")])


def sides(repo: Path, ours: str, theirs: str) -> None:
    lock = (repo / "fleet.lock").read_text()
    for name, text in (("base", lock), ("ours", ours), ("theirs", theirs)):
        (repo / f"{name}.lock").write_text(text)


def test_the_driver_leaves_values_changed_apart_for_generate(repo):
    lock = (repo / "fleet.lock").read_text()
    web = lock_at(repo, "HEAD:fleet.lock").vms["web"].machine_id
    ours = sealed(lock.replace(web, "1" * 32))
    sides(repo, ours, sealed(lock.replace(web, "2" * 32)))
    done = merge_lock(repo, "base.lock", "ours.lock", "theirs.lock", "fleet.lock")
    assert done.returncode == 1
    assert (
        f"vm `web`: machine_id is {'1' * 32} on this branch and {'2' * 32}"
        in done.stderr
    )
    assert "left unmerged: run `fleetc generate`" in done.stderr
    text = (repo / "ours.lock").read_text()
    assert text.count("<<<<<<< this branch\n") == 1 and ">>>>>>> merged branch" in text
    assert ours in text  # every version is there, between the markers


def test_the_driver_does_not_guess_from_an_edited_lock(repo):
    lock = (repo / "fleet.lock").read_text()
    sides(repo, lock.replace("vsock_cid = 4", "vsock_cid = 9"), lock)
    done = merge_lock(repo, "base.lock", "ours.lock", "theirs.lock", "fleet.lock")
    assert done.returncode == 1
    assert "F807" in done.stderr  # the checksum: this side was edited by hand
    assert "<<<<<<< this branch" in (repo / "ours.lock").read_text()


def test_the_driver_writes_a_clean_merge_sealed(repo):
    lock = (repo / "fleet.lock").read_text()
    cid = sealed(lock.replace("vsock_cid = 4", "vsock_cid = 9"))
    sides(repo, cid, lock)
    done = merge_lock(repo, "base.lock", "ours.lock", "theirs.lock", "fleet.lock")
    assert done.returncode == 0, done.stderr
    assert (repo / "ours.lock").read_text() == cid


HOSTILE = [
    ("/etc/passwd", "is outside the repository"),
    ("../outside.lock", "is outside the repository"),
    ("link.lock", "is a symbolic link"),
    ("generated", "is not a regular file"),
    (".git/config", "inside .git"),
]


@pytest.mark.parametrize("path,why", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_the_driver_refuses_a_path_git_would_not_give(repo, path, why):
    (repo.parent / "outside.lock").write_text("outside\n")
    os.symlink(repo.parent / "outside.lock", repo / "link.lock")
    (repo / "ok.lock").write_text((repo / "fleet.lock").read_text())
    for args in ((path, "ok.lock", "ok.lock"), ("ok.lock", path, "ok.lock")):
        done = merge_lock(repo, *args, "fleet.lock")
        assert done.returncode == 2, done.stderr
        assert "error[F822]: merge-lock: " in done.stderr
        assert why in done.stderr
    assert (repo.parent / "outside.lock").read_text() == "outside\n"


def test_the_driver_refuses_a_path_name_outside_the_repository(repo):
    (repo / "a.lock").write_text((repo / "fleet.lock").read_text())
    done = merge_lock(repo, "a.lock", "a.lock", "a.lock", "../x.lock")
    assert done.returncode == 2
    assert "F822" in done.stderr


def test_the_driver_is_not_in_the_help():
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", "--help"], capture_output=True, text=True
    )
    assert "setup-git" in done.stdout
    assert "merge-lock" not in done.stdout and "SUPPRESS" not in done.stdout
