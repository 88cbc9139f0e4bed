"""`[networks.<n>] addressing` (issue 22.2): guests that get their addresses
from the network. DHCP (both families: networkd's DHCP client and router
advertisements), SLAAC (IPv6 from router advertisements, IPv4 still static),
or none (no unit: the fleet's own modules). No address is allocated or locked
where the network assigns it, and lib.addresses says which networks do.
Evaluated against both microvm.nix generations; the units' keys were checked
by hand against systemd.network(5): DHCP= takes yes/no/ipv4/ipv6,
IPv6AcceptRA= a boolean."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import compile_dir, generate, inputs, staged, write_fleet
from tests.support.goldens import run_fleetc

FLEET = """\
[fleet]
name = "addr"

[networks.office]
ipv4 = "10.1.0.0/24"
ipv6 = "fd01::/64"
dns = ["10.1.0.53"]
addressing = "dhcp"

[networks.lab]
ipv4 = "10.2.0.0/24"
gateway4 = "10.2.0.1"
ipv6 = "fd02::/64"
addressing = "slaac"

[networks.ifstate]
ipv4 = "10.3.0.0/24"
addressing = "none"

[hosts.h]
uplink = "eno1"

[vms.a]
host = "h"
machine_id = "0123456789abcdef0123456789abcdef"
interfaces = [{ network = "office" }, { network = "lab" }]

[vms.b]
host = "h"
machine_id = "fedcba9876543210fedcba9876543210"
interfaces = [{ network = "ifstate" }]
"""

REPORT = """configurations: builtins.mapAttrs (name: c: {
  networks = c.config.systemd.network.networks;
  useNetworkd = c.config.networking.useNetworkd;
}) configurations"""


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = write_fleet(tmp_path_factory.mktemp("addr") / "fleet", FLEET)
    generate(directory)
    return directory


@pytest.fixture(scope="module", params=["current", "legacy"])
def evaluated(request, fleet_dir: Path, tmp_path_factory) -> dict:
    flake = staged(fleet_dir, tmp_path_factory.mktemp("staged"))
    return nixeval.eval_flake(
        flake, "nixosConfigurations", inputs(request.param), apply=REPORT
    )


def test_dhcp_and_slaac_units(evaluated):
    units = evaluated["a"]["networks"]
    mac = units["10-office"]["matchConfig"]["MACAddress"]
    assert units["10-office"] == {
        "matchConfig": {"MACAddress": mac},
        "dns": ["10.1.0.53"],
        "networkConfig": {"DHCP": "yes", "IPv6AcceptRA": True},
    }
    lab = units["10-lab"]
    assert lab["address"] == ["10.2.0.2/24"]
    assert lab["gateway"] == ["10.2.0.1"]
    assert lab["networkConfig"] == {"DHCP": "no", "IPv6AcceptRA": True}


def test_a_vm_only_on_networks_it_configures_itself_gets_no_networkd(evaluated):
    assert evaluated["b"] == {"networks": {}, "useNetworkd": False}


def test_no_address_is_allocated_where_the_network_assigns_it(fleet_dir):
    result = compile_dir(fleet_dir)
    lock = result.lock_text
    assert 'ipv4 = "10.2.0.2"' in lock
    for absent in ("10.1.0.", "fd01::", "fd02::", "10.3.0."):
        assert absent not in lock
    addresses = (fleet_dir / "generated" / "lib" / "addresses.nix").read_text()
    path = fleet_dir / "generated" / "lib" / "addresses.nix"
    table = nixeval.eval_json(f"import {path}")
    assert table["addressing"] == {"ifstate": "none", "lab": "slaac", "office": "dhcp"}
    assert table["ipv4"] == {"a": {"lab": "10.2.0.2"}}
    assert table["ipv6"] == {}
    assert "fd0" not in addresses


def test_a_locked_address_is_released_when_the_network_takes_over(tmp_path: Path):
    static = FLEET.replace('addressing = "dhcp"', 'addressing = "static"')
    fleet_dir = write_fleet(tmp_path, static)
    assert run_fleetc(fleet_dir, "generate", "fleet.toml")[0] == 0
    assert 'ipv4 = "10.1.0.1"' in (fleet_dir / "fleet.lock").read_text()
    (fleet_dir / "fleet.toml").write_text(FLEET)
    code, _, stderr = run_fleetc(fleet_dir, "generate", "fleet.toml")
    assert code == 0
    assert "a: office ipv4 released (was 10.1.0.1)" in stderr
    assert "10.1.0.1" not in (fleet_dir / "fleet.lock").read_text()


def test_the_dsl_reads_addressing(tmp_path: Path):
    dsl = tmp_path / "fleet.fleet"
    toml_dir = write_fleet(tmp_path / "t", FLEET)
    assert (
        run_fleetc(toml_dir, "convert", "fleet.toml", "--to", "fleet", "-o", str(dsl))[
            0
        ]
        == 0
    )
    assert "addressing dhcp" in dsl.read_text()
    assert run_fleetc(toml_dir, "generate", "fleet.toml")[0] == 0
    assert run_fleetc(tmp_path, "generate", "fleet.fleet")[0] == 0
    for name in ("vms/a.nix", "vms/b.nix", "lib/addresses.nix"):
        ours = (tmp_path / "generated" / name).read_text()
        assert ours == (toml_dir / "generated" / name).read_text()
