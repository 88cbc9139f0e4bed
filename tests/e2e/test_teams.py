"""Two branches of one fleet merged with real git, with and without `fleetc
setup-git`: after `fleetc generate` and a commit, no conflict markers
anywhere, `generate --check --locked` passes, every VM keeps its identity,
and the tree and lock are those of the same fleet written by hand (issue 21).
tests/support/teams.py has the scenarios and how they are run."""

from __future__ import annotations

import pytest

from tests.support.teams import (
    SCENARIOS,
    Merged,
    by_hand,
    fleetc,
    git,
    identities,
    markers_in,
    merged_repo,
    tracked,
)

CASES = [(s, setup) for s in SCENARIOS for setup in (False, True)]
IDS = [f"{s.name}-{'setup-git' if setup else 'plain'}" for s, setup in CASES]


@pytest.fixture(scope="module")
def hand_written(tmp_path_factory):
    """Each scenario's fleet written by hand, once for both ways of merging."""
    made = {}

    def get(scenario):
        if scenario.name not in made:
            path = tmp_path_factory.mktemp("hand") / scenario.name
            made[scenario.name] = tracked(by_hand(path, scenario))
        return made[scenario.name]

    return get


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def merged(request, tmp_path_factory) -> tuple:
    scenario, setup = request.param
    path = tmp_path_factory.mktemp("merge") / scenario.name
    return scenario, setup, merged_repo(path, scenario, setup)


def test_git_left_the_lock_or_tree_conflicted(merged):
    """The merges are real: git alone could not finish them (the lock's
    checksum line, the manifest, the generated files both changed)."""
    scenario, setup, result = merged
    assert result.merge.returncode != 0
    assert "CONFLICT" in result.merge.stdout


def test_nothing_is_left_unmerged_or_marked(merged):
    _, _, result = merged
    assert markers_in(result.repo) == []
    assert git(result.repo, "ls-files", "-u").stdout == ""
    assert git(result.repo, "status", "--porcelain").stdout == ""


def test_check_locked_passes_after_the_commit(merged):
    _, _, result = merged
    status, _, stderr = fleetc(
        result.repo, "generate", "fleet.toml", "--check", "--locked"
    )
    assert status == 0, stderr


def test_every_vm_keeps_its_identity(merged):
    """Every VM of the merge base and of either branch that the merged fleet
    still has keeps machine-id, MACs, addresses, tap ids and CID (under its
    new name, if renamed); but for the merged branch's values reported drawn
    again (F820), which only a new VM of that branch can lose."""
    scenario, _, result = merged
    after = identities(result.locks["merged"])
    fleet = scenario.both(scenario.base)
    renamed = {"git": "forge"} if "[vms.forge]" in fleet else {}
    for side in ("base", "ours", "theirs"):
        for name, identity in identities(result.locks[side]).items():
            now = after.get(renamed.get(name, name))
            if f"[vms.{renamed.get(name, name)}]" not in fleet:
                assert now is None, name  # removed by a branch
            elif name in scenario.redrawn and side == "theirs":
                assert now[0] == identity[0]  # the machine-id never moves
            else:
                assert now == identity, (side, name)


def test_a_value_drawn_again_is_reported(merged):
    scenario, _, result = merged
    for name in scenario.redrawn:
        assert f"warning[F820]: merge: vm `{name}`" in result.generated


def test_the_tree_is_the_fleet_written_by_hand(merged, hand_written):
    scenario, _, result = merged
    assert tracked(result.repo) == hand_written(scenario)


def test_merged_without_setup_git_git_writes_markers(merged):
    """What `fleetc generate` finished: without setup-git, git wrote markers
    into generated files; with it, into none (fleet.lock's driver and
    `-merge` leave them alone)."""
    _, setup, result = merged
    in_tree = [name for name in result.marked if name.startswith("generated/")]
    assert bool(in_tree) is not setup, result.marked


def test_results_are_not_merged_objects(merged):
    """Sanity: the fixture's Merged holds the four locks compared above."""
    _, _, result = merged
    assert isinstance(result, Merged)
    assert set(result.locks) == {"base", "ours", "theirs", "merged"}
