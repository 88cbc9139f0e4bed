"""samples/ixp, a production-shaped fleet (issue 10, item 4): 28 VMs on one
hypervisor, VLANs on an LACP bond, IPv6 first with link-local gateways,
persistent /etc and /var shares holding the journals, `microvm -Ru` deploys.

Adopting such a fleet must not change what its VMs run with: every VM's
machine-id, MAC, tap name and addresses are written in fleet.toml, and the
evaluated configurations (both microvm.nix generations, the sample's own
module included) must carry exactly those, and nothing the fleet did not ask
for (no vsock, no journal share, no declared VMs on the imperative host).
Expected values are read from fleet.toml itself, not from fleetc's output.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import staged
from tests.support.paths import SAMPLES

SAMPLE = SAMPLES / "ixp"
FLEET = tomllib.loads((SAMPLE / "fleet.toml").read_text())
VMS = FLEET["vms"]
HOST = "svc-hv01"
STATE_DIR = "/var/lib/microvms"
GENERATIONS = ["current", "legacy"]


def fleetc(*args: str) -> tuple[int, str]:
    command = [sys.executable, "-m", "fleetc", *args]
    done = subprocess.run(command, cwd=SAMPLE, capture_output=True, text=True)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stderr


def the_interface(vm: str) -> dict:
    (interface,) = VMS[vm]["interfaces"]
    return interface


# -- the fleet file: the shape the issue asks for ------------------------------


def test_sample_has_the_production_shape():
    networks = FLEET["networks"].values()
    assert len(VMS) >= 20
    assert {vm["host"] for vm in VMS.values()} == {HOST}
    assert FLEET["hosts"][HOST]["bond"]["mode"] == "802.3ad"
    assert all("vlan" in net and net["gateway6"] == "fe80::1" for net in networks)
    assert FLEET["fleet"]["deploy_mode"] == "imperative"
    mounts = {share["mount"] for share in FLEET["defaults"]["vm"]["shares"]}
    assert mounts == {"/etc", "/var"}


def test_every_running_identity_is_written_out():
    """Nothing that a running VM already has is left to allocation."""
    for name, vm in VMS.items():
        assert len(vm["machine_id"]) == 32, name
        interface = the_interface(name)
        assert {"mac", "id", "ipv6"} <= interface.keys(), name
        assert interface["id"] == f"vm-{name}"


def test_tree_is_checked_in_and_twins_agree():
    for fleet_file in ("fleet.toml", "fleet.fleet"):
        code, stderr = fleetc("generate", fleet_file, "--check", "--locked")
        assert code == 0, stderr


# -- the evaluated configurations ----------------------------------------------

INSPECT = """configurations: let
  vm = name: let config = configurations.${name}.config; in {
    machineId = config.microvm.machineId or config.environment.etc.machine-id.text;
    interfaces = map (i: {
      inherit (i) type id mac;
      vhost = i.tap.vhost or null;
    }) config.microvm.interfaces;
    shares = map (s: { inherit (s) tag source mountPoint; }) config.microvm.shares;
    vsock = config.microvm.vsock.cid;
    network = builtins.mapAttrs (_: n: {
      address = n.address;
      gateway = n.gateway;
      routes = n.routes or [ ];
      mac = n.matchConfig.MACAddress;
    }) config.systemd.network.networks;
    threads = config.microvm.virtiofsd.threadPoolSize;
  };
  host = configurations.svc-hv01.config;
in {
  vms = builtins.mapAttrs (name: _: vm name) (builtins.removeAttrs configurations
    [ "svc-hv01" "ext-mon01" ]);
  host = {
    declared = builtins.attrNames host.microvm.vms;
    autostart = host.microvm.autostart;
    rules = host.systemd.tmpfiles.rules;
    netdevs = host.systemd.network.netdevs;
    networks = host.systemd.network.networks;
  };
  monitorHasMicrovm = configurations.ext-mon01.options ? microvm;
}"""


@pytest.fixture(scope="module")
def sample_flake(tmp_path_factory) -> Path:
    return staged(SAMPLE, tmp_path_factory.mktemp("ixp"))


@pytest.fixture(scope="module", params=GENERATIONS)
def evaluated(request, sample_flake: Path) -> tuple[str, dict]:
    inputs = nixeval.overrides(request.param)
    found = nixeval.eval_flake(sample_flake, "nixosConfigurations", inputs, INSPECT)
    return request.param, found


def hyphenated(machine_id: str) -> str:
    parts = [machine_id[:8], machine_id[8:12], machine_id[12:16], machine_id[16:20]]
    return "-".join([*parts, machine_id[20:]])


def test_every_vm_keeps_its_machine_id(evaluated):
    generation, found = evaluated
    for name, vm in VMS.items():
        expected = vm["machine_id"]
        if generation == "current":  # microvm.machineId, 8-4-4-4-12
            assert found["vms"][name]["machineId"] == hyphenated(expected)
        else:  # 2025-07 lacks it: /etc/machine-id
            assert found["vms"][name]["machineId"] == expected + "\n"


def test_every_vm_keeps_its_mac_and_tap_and_gets_vhost(evaluated):
    """tap.vhost exists from 2026-02: set there, absent (not false) before."""
    generation, found = evaluated
    vhost = True if generation == "current" else None
    for name in VMS:
        interface = the_interface(name)
        assert found["vms"][name]["interfaces"] == [
            {
                "type": "tap",
                "id": interface["id"],
                "mac": interface["mac"],
                "vhost": vhost,
            }
        ]


def test_every_vm_keeps_its_addresses_and_link_local_routes(evaluated):
    _, found = evaluated
    for name in VMS:
        interface = the_interface(name)
        prefix = FLEET["networks"][interface["network"]]["ipv6"].split("/")[1]
        wanted = [f"{interface['ipv6']}/{prefix}"]
        routes = []
        if interface.get("ipv4"):
            length = FLEET["networks"][interface["network"]]["ipv4"].split("/")[1]
            wanted.insert(0, f"{interface['ipv4']}/{length}")
            routes = [{"Destination": "0.0.0.0/0", "Gateway": "fe80::1"}]
        (network,) = found["vms"][name]["network"].values()
        assert network == {
            "address": wanted,
            "gateway": ["fe80::1"],
            "routes": routes,
            "mac": interface["mac"],
        }, name


def test_no_vsock_and_no_journal_share(evaluated):
    _, found = evaluated
    for name, vm in found["vms"].items():
        assert vm["vsock"] is None, name
        assert [share["tag"] for share in vm["shares"]] == ["ro-store", "etc", "var"]
        assert all(s["mountPoint"] != "/var/log/journal" for s in vm["shares"])
        assert vm["threads"] == 4  # the sample's own module still applies


def test_journals_are_linked_into_each_vms_var_share(evaluated):
    _, found = evaluated
    rules = found["host"]["rules"]
    for name, vm in VMS.items():
        machine_id = vm["machine_id"]
        target = f"{STATE_DIR}/{name}/var/log/journal/{machine_id}"
        assert f"L+ /var/log/journal/{machine_id} - - - - {target}" in rules
    # No `d` rule: the journal directories are the guests' own.
    assert not [rule for rule in rules if rule.startswith("d ")]


def test_imperative_host_declares_no_vm_and_autostarts_all(evaluated):
    _, found = evaluated
    assert found["host"]["declared"] == []
    assert found["host"]["autostart"] == sorted(VMS)


def test_host_puts_a_vlan_per_network_on_the_bond(evaluated):
    _, found = evaluated
    netdevs, networks = found["host"]["netdevs"], found["host"]["networks"]
    assert netdevs["10-bond"]["netdevConfig"] == {"Name": "bond", "Kind": "bond"}
    assert netdevs["10-bond"]["bondConfig"]["Mode"] == "802.3ad"
    for port in ("sfp0", "sfp1"):
        assert networks[f"05-{port}"]["networkConfig"] == {"Bond": "bond"}
    vlans = sorted(net["vlan"] for net in FLEET["networks"].values())
    assert networks["10-bond"]["networkConfig"]["VLAN"] == [
        f"bond.{vlan}" for vlan in vlans
    ]
    for name, net in FLEET["networks"].items():
        bridge, vlan = net["bridge"], net["vlan"]
        assert netdevs[f"20-bond.{vlan}"]["vlanConfig"] == {"Id": vlan}
        ports = networks[f"30-{bridge}-ports"]
        taps = [
            the_interface(vm)["id"]
            for vm in VMS
            if the_interface(vm)["network"] == name
        ]
        assert ports["matchConfig"]["Name"] == sorted([f"bond.{vlan}", *taps])
        assert ports["networkConfig"] == {"Bridge": bridge}


def test_host_without_vms_has_no_microvm_module(evaluated):
    _, found = evaluated
    assert found["monitorHasMicrovm"] is False
