"""`fleetc generate` in a git merge, beyond the five merges of test_teams.py:
what it refuses, what it reports, and what `plan` and `check` say meanwhile
(issue 21.1). Real git, real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.teams import (
    ADD_CACHE,
    ADD_CI,
    BASE,
    CI,
    Scenario,
    base_repo,
    branch,
    commit,
    fleetc,
    generate,
    git,
    lock_at,
)

TWO_ADDED = Scenario("two-added", ADD_CI, ADD_CACHE, lambda t: ADD_CACHE(ADD_CI(t)))
RANDOM = BASE.replace('name = "team"', 'name = "team"\nmachine_ids = "random"')


def merging(tmp_path: Path, scenario: Scenario, setup: bool = False) -> Path:
    """Both branches made and `theirs` merged into `ours`, conflicts left."""
    repo = base_repo(tmp_path / "repo", scenario, setup)
    branch(repo, "theirs", scenario.theirs)
    branch(repo, "ours", scenario.ours)
    done = git(repo, "merge", "--no-edit", "theirs", check=False)
    assert done.returncode == 1, done.stdout
    return repo


def test_plan_and_check_during_the_merge_say_what_it_does(tmp_path):
    repo = merging(tmp_path, TWO_ADDED)
    status, stdout, stderr = fleetc(repo, "plan", "fleet.toml")
    assert status == 0, stderr
    assert "warning[F820]: merge: vm `cache` had lan ipv4 10.0.0.7" in stderr
    note = "(new VM; merge: ci keeps CID 5, ci keeps lan ipv4 10.0.0.7)"
    assert f"+ cache  {note}" in stdout
    assert "!! lan ipv4 (merged branch): 10.0.0.7 -> 10.0.0.8" in stdout
    assert "!! CID (merged branch): 5 -> 6" in stdout
    status, _, stderr = fleetc(repo, "check", "fleet.toml")
    assert status == 0, stderr
    assert "F820" in stderr


def test_generate_twice_in_one_merge_draws_nothing_twice(tmp_path):
    """A lock fleetc wrote earlier in the merge is read too: a VM added
    meanwhile keeps its random machine-id when generate runs again."""
    scenario = Scenario("random", ADD_CI, ADD_CACHE, lambda t: t, base=RANDOM)
    repo = merging(tmp_path, scenario)
    generate(repo)
    fleet = repo / "fleet.toml"
    fleet.write_text(fleet.read_text() + CI.replace("ci", "extra"))
    generate(repo)
    first = (repo / "fleet.lock").read_text()
    generate(repo)
    assert (repo / "fleet.lock").read_text() == first
    assert "[vms.extra]" in first


def test_both_branches_drawing_one_vm_apart_is_an_error_until_the_fleet_says(
    tmp_path,
):
    scenario = Scenario("same-vm", ADD_CI, ADD_CI, ADD_CI, base=RANDOM)
    repo = merging(tmp_path, scenario)
    ours, theirs = (
        lock_at(repo, f"{b}:fleet.lock").vms["ci"] for b in ("ours", "theirs")
    )
    assert ours.machine_id != theirs.machine_id
    status, _, stderr = fleetc(repo, "generate", "fleet.toml")
    assert status == 1
    assert "error[F821]: merge: vm `ci`: machine_id is" in stderr
    assert ours.machine_id in stderr and theirs.machine_id in stderr
    assert "<<<<<<<" in (repo / "fleet.lock").read_text()  # nothing written
    fleet = repo / "fleet.toml"
    written = f'[vms.ci]\nmachine_id = "{theirs.machine_id}"'
    fleet.write_text(fleet.read_text().replace("[vms.ci]", written))
    generate(repo)
    commit(repo, "merged")
    assert lock_at(repo, "HEAD:fleet.lock").vms["ci"].machine_id == theirs.machine_id


def test_a_fleet_file_with_markers_is_the_users_to_merge(tmp_path):
    scenario = Scenario(
        "memory",
        lambda t: t.replace("mem = 1024", "mem = 2048"),
        lambda t: t.replace("mem = 1024", "mem = 4096"),
        lambda t: t,
    )
    repo = merging(tmp_path, scenario)
    status, _, stderr = fleetc(repo, "generate", "fleet.toml")
    assert status == 1
    assert "error[F823]: fleet.toml is unmerged (git) and still holds" in stderr
    assert "<<<<<<< HEAD" in stderr  # located at the first marker


@pytest.mark.parametrize("setup", [False, True], ids=["plain", "setup-git"])
def test_a_generated_file_edited_by_hand_on_a_branch_is_still_refused(tmp_path, setup):
    """Only what git reports unmerged is fleetc's whatever it holds: a hand
    edit committed on the merged branch (git takes it, no conflict) is
    refused as ever, and so are conflict markers committed as content."""

    def theirs(text: str) -> str:
        return ADD_CACHE(text)

    repo = base_repo(tmp_path / "repo", TWO_ADDED, setup)
    branch(repo, "theirs", theirs)
    db = repo / "generated" / "vms" / "db.nix"
    db.write_text(db.read_text() + "<<<<<<< HEAD\n# by hand\n")
    commit(repo, "a hand edit")
    branch(repo, "ours", ADD_CI)
    git(repo, "merge", "--no-edit", "theirs", check=False)
    assert "generated/vms/db.nix" not in git(repo, "ls-files", "-u").stdout
    status, _, stderr = fleetc(repo, "generate", "fleet.toml")
    assert status == 2
    assert "generated/vms/db.nix was edited by hand" in stderr
    assert "# by hand" in db.read_text()


def test_a_module_or_unrelated_conflict_does_not_start_a_lock_merge(tmp_path):
    """Unmerged paths elsewhere: fleet.lock and the tree are read as ever."""
    scenario = Scenario("notes", lambda t: t, lambda t: t, lambda t: t)
    repo = base_repo(tmp_path / "repo", scenario, False)
    (repo / "NOTES").write_text("base\n")
    commit(repo, "notes")
    for name, text in (("theirs", "theirs\n"), ("ours", "ours\n")):
        git(repo, "checkout", "-q", "-b", name, "main")
        (repo / "NOTES").write_text(text)
        commit(repo, name)
    git(repo, "merge", "--no-edit", "theirs", check=False)
    status, _, stderr = fleetc(repo, "generate", "fleet.toml", "--check")
    assert status == 0, stderr


def test_a_merge_in_a_linked_work_tree_is_found(tmp_path):
    """`.git` is a file there (`gitdir: ...`): the merge is found through it."""
    repo = base_repo(tmp_path / "repo", TWO_ADDED, False)
    branch(repo, "theirs", TWO_ADDED.theirs)
    git(repo, "checkout", "-q", "main")
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", "-b", "ours", str(linked), "main")
    fleet = linked / "fleet.toml"
    fleet.write_text(TWO_ADDED.ours(fleet.read_text()))
    generate(linked)
    commit(linked, "ours")
    assert (linked / ".git").is_file()
    git(linked, "merge", "--no-edit", "theirs", check=False)
    assert "F820" in generate(linked)
    commit(linked, "merged")
    status, _, stderr = fleetc(linked, "generate", "fleet.toml", "--check", "--locked")
    assert status == 0, stderr
