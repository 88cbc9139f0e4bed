"""`fleetc plan` ends with the order to deploy in (issue 20.3): build, switch
the hosts with the fleet's tool (or nixos-rebuild), then, each after its
host, the VMs the switch leaves alone: imperative ones, and declared ones
with an updateFlake, which microvm.nix installs once and leaves to
`microvm -u` (its host module: "For MicroVMs with updateFlake set, only run
on initial installation"); update-microvm for those Hydra deploys."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
from tests.support.lifecycle import edit

from tests.support.goldens import SAMPLES, run_fleetc


def sample(root: Path, name: str) -> Path:
    """samples/<name> without its tree, lock and twin, in a fake repository."""
    shutil.copytree(
        SAMPLES / name,
        root / "ops",
        ignore=shutil.ignore_patterns("generated", "fleet.lock", "fleet.fleet"),
    )
    (root / ".git").mkdir()
    return root / "ops"


def order(fleet, *more) -> str:
    code, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml", *more)
    assert code == 0
    return stdout.partition("\nDeploy in this order:\n")[2]


def test_colmena_switches_the_hosts_then_the_imperative_vms_follow(tmp_path):
    fleet = sample(tmp_path, "colmena")
    assert order(fleet) == (
        "  1. build every host and VM:\n"
        "       fleetc build fleet.toml\n"
        "  2. switch the hosts (their declarative VMs with them):\n"
        "       colmena apply --config ./generated/flake.nix\n"
        "  3. then update the VMs the switch leaves alone, each after its host:\n"
        "       ssh -p 2222 deploy@10.40.0.3 sudo microvm -Ru db\n"
    )


def test_deploy_rs_deploys_every_node_of_the_flake(tmp_path):
    fleet = sample(tmp_path, "deploy-rs")
    lines = order(fleet).splitlines()
    assert lines[2:4] == [
        "  2. switch the hosts (their declarative VMs with them):",
        "       deploy ./generated",
    ]


def test_with_an_update_flake_declared_vms_are_updated_after_the_switch(tmp_path):
    """microvm.nix installs a VM with an updateFlake once; `microvm -u` updates it."""
    fleet = sample(tmp_path, "colmena")
    edit(fleet, 'name = "hive"\n', 'name = "hive"\nflake = "git+https://g.example/x"\n')
    assert order(fleet).splitlines()[2:] == [
        "  2. switch the hosts (each installs its declared VMs not yet installed):",
        "       colmena apply --config ./generated/flake.nix",
        "  3. then update the VMs the switch leaves alone, each after its host"
        " (microvm -u builds from the fleet's `flake`: push first):",
        "       ssh root@hv1.example.org microvm -Ru web",
        "       ssh -p 2222 deploy@10.40.0.3 sudo microvm -Ru db",
    ]


def test_without_a_tool_each_host_is_switched_with_nixos_rebuild(tmp_path):
    fleet = sample(tmp_path, "colmena")
    edit(fleet, 'deploy_tool = "colmena"\n', "")
    assert order(fleet).splitlines()[2:6] == [
        "  2. switch the hosts (their declarative VMs with them):",
        "       nixos-rebuild switch --flake ./generated#arm1"
        " --target-host root@2001:db8:40::4",
        "       nixos-rebuild switch --flake ./generated#hv1"
        " --target-host root@hv1.example.org",
        "       NIX_SSHOPTS='-p 2222' nixos-rebuild switch --flake ./generated#hv2"
        " --target-host deploy@10.40.0.3 --use-remote-sudo",
    ]


def test_hydra_deployed_vms_are_updated_with_update_microvm(tmp_path):
    fleet = sample(tmp_path, "deploy")
    assert order(fleet).splitlines()[5:] == [
        "  3. then update the VMs the switch leaves alone, each after its host"
        " (microvm -u builds from the fleet's `flake`: push first):",
        "       ssh rack1 sudo update-microvm api web",
        "       ssh rack2 sudo update-microvm db",
    ]


def test_the_order_is_in_the_json_document(tmp_path):
    fleet = sample(tmp_path, "colmena")
    code, stdout, _ = run_fleetc(fleet, "plan", "fleet.toml", "--format", "json")
    [entry] = json.loads(stdout)["fleets"]
    steps = entry["plan"]["deploy_order"]
    assert [step["step"] for step in steps] == ["build", "switch", "vms"]
    assert steps[1]["commands"] == ["colmena apply --config ./generated/flake.nix"]


@pytest.mark.parametrize("tool", ["deploy-rs", "colmena", "none"])
def test_a_command_never_splits_a_value(tmp_path, tool):
    """A path with a blank and `;` stays one word in every command that names it."""
    fleet = sample(tmp_path, "colmena")
    edit(fleet, 'deploy_tool = "colmena"\n', f'deploy_tool = "{tool}"\n')
    commands = [
        shlex.split(line)
        for line in order(fleet, "--out", "a b;c").splitlines()
        if line.startswith("       ") and not line.strip().startswith("ssh ")
    ]
    assert commands and all(any("a b;c" in w for w in words) for words in commands)
