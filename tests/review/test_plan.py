"""`fleetc plan` (issue 12, item 1): what the next generate changes, per host."""

from __future__ import annotations

import json

from tests.support.goldens import run_fleetc
from tests.support.lifecycle import drop_vm, edit, generate, journald

WEB = 'machine_id = "5b4f1a6e8c936ad3ce4f5a6b7c8d9eaf"'


def changed_fleet(tmp_path):
    """journald, generated, then: metrics removed, ci moved to beta, git renamed
    to forge (declared), web given more memory and (wrongly) a new machine-id."""
    fleet = journald(tmp_path)
    generate(fleet)
    drop_vm(fleet, "metrics")
    edit(fleet, '[vms.ci]\nhost = "alpha"', '[vms.ci]\nhost = "beta"')
    edit(fleet, "[vms.git]\n", '[vms.forge]\nrenamed_from = "git"\n')
    edit(fleet, WEB, WEB[:-2] + 'b"\nmem = 4096')
    return fleet


EXPECTED = """\
host alpha:
  > ci  (moved to beta: stopped here by fleetc-retire-ci)
  > forge  (renamed from git)
      networking.hostName = "git";  ->  networking.hostName = "forge";
      source = "/var/lib/microvms/git/journal";  ->  source = "/var/lib/microvms/forge/journal";
host beta:
  > ci  (moved from alpha)
  - metrics  (removed: stopped by fleetc-retire-metrics; state kept)
  ~ web
      !! IDENTITY CHANGES: the VM will not be the same machine
      !! machine-id: 5b4f1a6e8c936ad3ce4f5a6b7c8d9eaf -> 5b4f1a6e8c936ad3ce4f5a6b7c8d9eab
      microvm.mem = 2048;  ->  microvm.mem = 4096;
      microvm.machineId = "5b4f1a6e-8c93-6ad3-ce4f-5a6b7c8d9eaf";  ->  microvm.machineId = "5b4f1a6e-8c93-6ad3-ce4f-5a6b7c8d9eab";
Plan: +0 ~1 -1 >2 (added, changed, removed, moved or renamed VMs)
"""


def plan_part(stdout: str) -> str:
    """The plan without the inputs and the deploy order after it (tested in
    test_flake_lock.py and test_deploy_order.py)."""
    plan, marker, _ = stdout.partition("\n\n")
    assert marker, stdout
    return plan + "\n"


def snapshot(fleet):
    return {
        path: path.read_bytes() for path in sorted(fleet.rglob("*")) if path.is_file()
    }


def test_plan_shows_each_change_per_host_and_writes_nothing(tmp_path):
    fleet = changed_fleet(tmp_path)
    before = snapshot(fleet)
    code, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml")
    assert (code, plan_part(stdout)) == (0, EXPECTED)
    assert snapshot(fleet) == before


def test_plan_json_carries_the_same_data(tmp_path):
    fleet = changed_fleet(tmp_path)
    code, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml", "--format", "json")
    [entry] = json.loads(stdout)["fleets"]
    plan = entry["plan"]
    assert code == 0 and entry["would_change"] is True
    assert plan["summary"] == {"add": 0, "change": 1, "remove": 1, "move": 2}
    assert [(e["vm"], e["action"]) for e in plan["hosts"]["beta"]] == [
        ("ci", "move"),
        ("metrics", "remove"),
        ("web", "change"),
    ]
    web = plan["hosts"]["beta"][2]
    assert web["identity"] == [
        {
            "key": "machine-id",
            "old": "5b4f1a6e8c936ad3ce4f5a6b7c8d9eaf",
            "new": "5b4f1a6e8c936ad3ce4f5a6b7c8d9eab",
        }
    ]
    assert web["settings"][0] == {
        "old": "microvm.mem = 2048;",
        "new": "microvm.mem = 4096;",
    }


def test_detailed_exitcode_says_whether_anything_would_change(tmp_path):
    fleet = journald(tmp_path)
    generate(fleet)
    code, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml", "--detailed-exitcode")
    assert code == 0
    assert plan_part(stdout) == "Plan: +0 ~0 -0 >0 (no VM changes)\n"
    edit(fleet, "mem = 512", "mem = 768")
    assert run_fleetc(fleet, "plan", "fleet.toml")[0] == 0
    assert run_fleetc(fleet, "plan", "fleet.toml", "--detailed-exitcode")[0] == 1


def test_before_the_first_generate_every_vm_is_added(tmp_path):
    fleet = journald(tmp_path)
    _, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml")
    assert stdout.splitlines()[:2] == ["host alpha:", "  + ci  (new VM)"]
    assert plan_part(stdout).endswith(
        "Plan: +6 ~0 -0 >0 (added, changed, removed, moved or renamed VMs)\n"
    )


def test_plan_lists_stop_units_still_held(tmp_path):
    fleet = journald(tmp_path)
    generate(fleet)
    drop_vm(fleet, "metrics")
    generate(fleet)
    _, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml")
    assert plan_part(stdout) == (
        "  (stop unit for retired metrics still on host beta;"
        " `fleetc generate --forget metrics` once beta was switched)\n"
        "Plan: +0 ~0 -0 >0 (no VM changes)\n"
    )
    _, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml", "--forget", "metrics")
    assert plan_part(stdout) == (
        "  (stop unit for retired metrics leaves host beta)\n"
        "Plan: +0 ~0 -0 >0 (no VM changes)\n"
    )
