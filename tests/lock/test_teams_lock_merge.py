"""The three-way merge of fleet.lock, pure (lock/merge.py, merge_unique.py,
merge_fleet.py): three Locks in, one out, with what could not be merged."""

from __future__ import annotations

from fleetc.core.source import Source
from fleetc.frontend import load
from fleetc.lock.lockfile import Lock, LockedInterface, LockedVm, Retired, freeze
from fleetc.lock.merge import merge_locks, three_way
from fleetc.lock.merge_fleet import settle


def vm(host="alpha", machine_id=None, cid=None, **interfaces) -> LockedVm:
    return LockedVm(
        host=host,
        machine_id=machine_id,
        vsock_cid=cid,
        interfaces=freeze(
            {net: LockedInterface(**values) for net, values in interfaces.items()}
        ),
    )


def lock(retired=(), **vms) -> Lock:
    return Lock(freeze(vms), freeze({(r.vm, r.host): r for r in retired}))


ID = {n: f"{n}" * 32 for n in "abcdef"}
WEB = vm(machine_id=ID["a"], cid=3, lan={"ipv4": "10.0.0.4", "id": "vm-web"})


def test_three_way_takes_the_change_and_keeps_pinned_values():
    assert three_way(1, 1, 2) == (2, "theirs")
    assert three_way(1, 2, 1) == (2, "ours")
    assert three_way(1, 2, 2) == (2, "ours")
    assert three_way(1, None, 2) == (2, "theirs")  # released vs changed: pinned
    assert three_way(1, 2, None) == (2, "ours")
    assert three_way(1, 2, 3) == (2, None)  # both changed apart: a conflict


def test_vms_added_on_both_sides_with_one_address_the_current_branch_keeps_it():
    base = lock(web=WEB)
    ours = lock(web=WEB, ci=vm(machine_id=ID["b"], lan={"ipv4": "10.0.0.5"}))
    theirs = lock(web=WEB, cache=vm(machine_id=ID["c"], lan={"ipv4": "10.0.0.5"}))
    merged = merge_locks(base, ours, theirs)
    assert merged.lock.vms["ci"].interfaces["lan"].ipv4 == "10.0.0.5"
    assert merged.lock.vms["cache"].interfaces["lan"].ipv4 is None
    assert merged.lock.vms["cache"].machine_id == ID["c"]  # the rest is kept
    [lost] = merged.reassigned
    assert (lost.vm, lost.field, lost.network, lost.value, lost.holder) == (
        "cache",
        "ipv4",
        "lan",
        "10.0.0.5",
        "ci",
    )
    assert not merged.conflicts and not merged.clean


def test_per_host_values_clash_only_on_one_host():
    base = lock(web=WEB)
    ours = lock(web=WEB, ci=vm(host="alpha", cid=4))
    theirs = lock(web=WEB, db=vm(host="beta", cid=4))
    assert merge_locks(base, ours, theirs).clean


def test_a_vm_removed_on_one_side_and_unchanged_on_the_other_is_removed():
    base = lock(web=WEB, db=vm(host="beta", machine_id=ID["d"]))
    gone = Retired("db", "beta", ID["d"])
    theirs = lock(web=WEB, retired=[gone])
    merged = merge_locks(base, base, theirs)
    assert set(merged.lock.vms) == {"web"}
    assert merged.lock.retired == {("db", "beta"): gone}
    assert merged.clean


def test_a_vm_removed_on_one_side_and_changed_on_the_other_keeps_its_values():
    base = lock(web=WEB)
    changed = vm(machine_id=ID["a"], cid=5, lan={"ipv4": "10.0.0.4", "id": "vm-web"})
    merged = merge_locks(base, lock(web=changed), lock())
    assert merged.lock.vms["web"] == changed


def test_values_changed_apart_on_both_sides_conflict():
    base = lock(web=WEB)
    ours = lock(web=vm(machine_id=ID["b"], cid=3, lan={"ipv4": "10.0.0.4"}))
    theirs = lock(web=vm(machine_id=ID["c"], cid=3, lan={"ipv4": "10.0.0.4"}))
    [conflict] = merge_locks(base, ours, theirs).conflicts
    assert (conflict.vm, conflict.field, conflict.ours, conflict.theirs) == (
        "web",
        "machine_id",
        ID["b"],
        ID["c"],
    )


def test_per_host_values_changed_apart_are_the_current_branchs():
    """Both branches moved the VM, each drawing a CID on its host: the fleet
    places it, and allocation settles the move from this branch's values."""
    base = lock(web=WEB)
    ours = lock(web=vm(host="beta", machine_id=ID["a"], cid=7))
    theirs = lock(web=vm(host="gamma", machine_id=ID["a"], cid=9))
    merged = merge_locks(base, ours, theirs)
    assert not merged.conflicts
    assert (merged.lock.vms["web"].host, merged.lock.vms["web"].vsock_cid) == (
        "beta",
        7,
    )


def test_a_rename_on_the_merged_branch_is_carried_out_with_the_fleet():
    base = lock(web=WEB)
    moved = vm(
        host="beta", machine_id=ID["a"], cid=3, lan={"ipv4": "10.0.0.4", "id": "vm-web"}
    )
    ours = lock(
        web=moved, retired=[Retired("web", "alpha", ID["a"], None, ("vm-web",))]
    )
    theirs = lock(
        www=WEB, retired=[Retired("web", "alpha", ID["a"], "www", ("vm-web",))]
    )
    merged = merge_locks(base, ours, theirs)
    assert set(merged.lock.vms) == {"web"} and merged.renamed == (("web", "www"),)
    fleet = fleet_with("www", "beta")
    settled, problems = settle(merged, fleet)
    assert problems == []
    assert settled.lock.vms["www"] == moved
    assert settled.lock.retired[("web", "beta")].renamed_to == "www"
    assert settled.lock.retired[("web", "alpha")].renamed_to is None  # ours'


def test_the_fleet_file_settles_a_conflict_by_writing_the_value():
    base = lock()
    ours = lock(ci=vm(machine_id=ID["b"]))
    theirs = lock(ci=vm(machine_id=ID["c"]))
    merged = merge_locks(base, ours, theirs)
    _, problems = settle(merged, fleet_with("ci", "alpha"))
    [problem] = problems
    assert problem.code == "F821" and ID["b"] in problem.message
    assert ID["c"] in problem.message
    _, problems = settle(merged, fleet_with("ci", "alpha", machine_id=ID["c"]))
    assert problems == []


def test_a_lock_an_earlier_run_wrote_fills_what_the_merge_leaves_open():
    base = lock(web=WEB)
    ours = lock(web=WEB, ci=vm(lan={"ipv4": "10.0.0.5"}))
    theirs = lock(web=WEB, cache=vm(lan={"ipv4": "10.0.0.5"}))
    earlier = lock(
        web=WEB,
        ci=vm(lan={"ipv4": "10.0.0.5"}),
        cache=vm(lan={"ipv4": "10.0.0.6"}),
        new=vm(machine_id=ID["e"]),
    )
    merged = merge_locks(base, ours, theirs, earlier)
    assert merged.lock.vms["cache"].interfaces["lan"].ipv4 == "10.0.0.6"
    assert merged.lock.vms["new"].machine_id == ID["e"]  # added since: kept
    # Still reported on every run of the merge, until it is committed.
    assert [(r.vm, r.value) for r in merged.reassigned] == [("cache", "10.0.0.5")]


def fleet_with(name: str, host: str, machine_id: str | None = None):
    written = f'machine_id = "{machine_id}"\n' if machine_id else ""
    text = f"""\
[fleet]
name = "t"
[hosts.alpha]
[hosts.beta]
[vms.{name}]
host = "{host}"
{written}"""
    fleet, problems = load(Source("fleet.toml", text), None)
    assert fleet is not None, problems
    return fleet
