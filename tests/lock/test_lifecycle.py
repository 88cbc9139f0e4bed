"""Removed, moved and renamed VMs (issue 12, items 2 and 3), through the real CLI.

A VM that leaves a host is stopped there by a unit in that host's module, from
a retirement record in fleet.lock, until `generate --forget`; a renamed VM
keeps its identity and its journal.
"""

from __future__ import annotations

import tomli

from tests.support.goldens import run_fleetc
from tests.support.lifecycle import (
    drop_vm,
    edit,
    generate,
    host_module,
    journald,
    small,
)


def lock_of(fleet):
    return tomli.loads((fleet / "fleet.lock").read_text())


def test_removed_vm_is_stopped_on_its_host_until_forgotten(tmp_path):
    fleet = journald(tmp_path)
    generate(fleet)
    drop_vm(fleet, "metrics")
    said = generate(fleet)
    assert "fleet.lock: retired metrics from beta (stopped there)" in said
    beta = host_module(fleet, "beta")
    assert "    fleetc-retire-metrics = {" in beta  # in systemd.services
    assert "systemctl stop microvm@metrics.service " in beta
    assert "networkctl delete vm-metrics || true" in beta
    assert "rm -rf" not in beta  # the state directory is kept
    assert "fleetc-retire" not in host_module(fleet, "alpha")
    assert lock_of(fleet)["retired"] == {
        "metrics": {
            "beta": {
                "machine_id": "6c5a2b7f9da47be4df5a6b7c8d9eafb0",
                "taps": ["vm-metrics"],
            }
        }
    }
    generate(fleet)  # a later generate keeps the record: only --forget drops it
    assert "fleetc-retire-metrics" in host_module(fleet, "beta")
    said = generate(fleet, "--forget", "metrics")
    assert "fleet.lock: forgot retired metrics on beta" in said
    assert "fleetc-retire" not in host_module(fleet, "beta")
    assert "retired" not in lock_of(fleet)


def test_moved_vm_is_stopped_on_the_host_it_left(tmp_path):
    fleet = journald(tmp_path)
    generate(fleet)
    edit(fleet, '[vms.ci]\nhost = "alpha"', '[vms.ci]\nhost = "beta"')
    generate(fleet)
    alpha, beta = host_module(fleet, "alpha"), host_module(fleet, "beta")
    assert "systemctl stop microvm@ci.service" in alpha
    assert "networkctl delete vm-ci" in alpha
    assert "fleetc-retire" not in beta and "    ci = {" in beta
    assert list(lock_of(fleet)["retired"]) == ["ci"]


def test_a_vm_back_on_its_host_loses_its_record(tmp_path):
    fleet = journald(tmp_path)
    generate(fleet)
    edit(fleet, '[vms.ci]\nhost = "alpha"', '[vms.ci]\nhost = "beta"')
    generate(fleet)
    edit(fleet, '[vms.ci]\nhost = "beta"', '[vms.ci]\nhost = "alpha"')
    said = generate(fleet)
    assert "forgot retired ci on alpha" in said
    assert "fleetc-retire" not in host_module(fleet, "alpha")
    # ... and left beta, where it is stopped now.
    assert "fleetc-retire-ci" in host_module(fleet, "beta")


def test_state_is_deleted_only_when_the_fleet_says_so(tmp_path):
    fleet = journald(tmp_path)
    generate(fleet)
    drop_vm(fleet, "metrics")
    edit(fleet, "[fleet]\n", '[fleet]\ndelete_state = ["metrics", "nothing"]\n')
    code, _, stderr = run_fleetc(fleet, "generate", "fleet.toml")
    assert code == 0
    # the script's last line, in an indented string ('')
    assert "rm -rf --one-file-system -- /var/lib/microvms/metrics\n      '';" in (
        host_module(fleet, "beta")
    )
    assert "warning[F163]: delete_state names `nothing`" in stderr


def test_forget_of_an_unknown_vm_is_a_warning(tmp_path):
    fleet = journald(tmp_path)
    generate(fleet)
    code, _, stderr = run_fleetc(fleet, "generate", "fleet.toml", "--forget", "nope")
    assert code == 0
    assert "warning[F810]: --forget nope: fleet.lock holds no retired VM" in stderr


def test_rename_keeps_identity_journal_and_tap(tmp_path):
    fleet = small(tmp_path / "f")
    generate(fleet)
    before = lock_of(fleet)["vms"]["app"]
    edit(fleet, "[vms.app]\n", '[vms.web]\nrenamed_from = "app"\n')
    said = generate(fleet)
    after = lock_of(fleet)
    assert after["vms"]["web"] == before  # machine-id, MAC, address, tap id
    assert "app" not in after["vms"]
    machine_id = before["machine_id"]
    h1 = host_module(fleet, "h1")
    journal = f"/var/lib/microvms/web/journal/{machine_id}"
    assert f'"L+ /var/log/journal/{machine_id} - - - - {journal}"' in h1
    old = f"/var/lib/microvms/app/journal/{machine_id}"
    assert f"if [ -d {old} ] && [ ! -e {journal} ]; then" in h1
    assert f"mv {old} {journal}" in h1
    assert 'before = [ "microvm@web.service" ];' in h1
    assert "networkctl delete vm-app" not in h1  # the renamed VM keeps that tap
    assert "systemctl stop microvm@app.service" in h1
    assert "retired app from h1" in said
    assert after["retired"]["app"]["h1"]["renamed_to"] == "web"


def test_rename_without_renamed_from_is_a_warning(tmp_path):
    fleet = small(tmp_path / "f")
    generate(fleet)
    before = lock_of(fleet)["vms"]["app"]
    edit(fleet, "[vms.app]\n", "[vms.web]\n")
    code, _, stderr = run_fleetc(fleet, "check", "fleet.toml")
    assert code == 0
    assert (
        "warning[F162]: VM `app` disappeared while VM `web` appeared on host `h1`"
        in stderr
    )
    assert 'add `renamed_from = "app"` to VM `web`' in stderr
    _, _, stderr = run_fleetc(fleet, "plan", "fleet.toml")
    assert "warning[F162]: VM `app` disappeared" in stderr
    generate(fleet)
    assert lock_of(fleet)["vms"]["web"]["machine_id"] != before["machine_id"]


def test_renamed_from_a_vm_still_there_is_an_error(tmp_path):
    fleet = small(tmp_path / "f")
    generate(fleet)
    edit(fleet, "[vms.cache]\n", '[vms.cache]\nrenamed_from = "app"\n')
    code, _, stderr = run_fleetc(fleet, "check", "fleet.toml")
    assert code == 1
    assert 'error[F160]: `renamed_from = "app"`: VM `app` is still in the fleet' in (
        stderr
    )
    assert "--> fleet.toml:18:16" in stderr  # at the renamed_from value


def test_renamed_from_a_vm_the_lock_does_not_know_is_a_warning(tmp_path):
    fleet = small(tmp_path / "f")
    generate(fleet)
    edit(fleet, "[vms.app]\n", '[vms.web]\nrenamed_from = "ap"\n')
    code, _, stderr = run_fleetc(fleet, "check", "fleet.toml")
    assert code == 0
    assert 'warning[F161]: `renamed_from = "ap"`: fleet.lock knows no VM `ap`' in (
        stderr
    )


def test_a_vm_left_on_a_host_that_left_the_fleet_is_a_warning(tmp_path):
    fleet = small(tmp_path / "f")
    generate(fleet)
    drop_vm(fleet, "db")
    edit(fleet, "[hosts.h2]\n", "")
    code, _, stderr = run_fleetc(fleet, "generate", "fleet.toml")
    assert code == 0
    assert (
        "warning[F811]: VM `db` left host `h2`, which is no longer in the fleet:"
        " fleetc cannot stop it there" in stderr
    )
    assert "stop microvm@db on `h2` by hand, then `fleetc generate --forget db`" in (
        stderr
    )
    assert list(lock_of(fleet)["retired"]) == ["db"]
