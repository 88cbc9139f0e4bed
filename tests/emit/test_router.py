"""`[networks.<n>] router = "<host>"` (issue 22.3): the host as the router of a
network of its VMs. Evaluated against both microvm.nix generations; the
networkd keys are checked against systemd.network(5) as installed (Debian
12's systemd 252, which has no verifier for .network files), save the
forwarding keys of systemd 256 that microvm.nix's routed-network doc uses.
Expected values were worked out by hand: 10.10.0.0/24 less its gateway (.1)
and reserved .2-.9 leaves .10-.254, PoolOffset 10, PoolSize 245."""

from __future__ import annotations

import gzip
import re
from pathlib import Path, PurePosixPath

import pytest

from tests.support import nixeval
from tests.support.faq import compile_dir, generate, inputs, staged, write_fleet
from fleetc.core.pipeline import Placement, compile
from fleetc.core.source import Source

FLEET = """\
[fleet]
name = "homelab"

[networks.lan]
ipv4 = "192.168.1.0/24"
gateway4 = "192.168.1.1"

[networks.vms]
ipv4 = "10.10.0.0/24"
gateway4 = "10.10.0.1"
ipv6 = "fd10::/64"
gateway6 = "fd10::1"
dns = ["10.10.0.1", "fd10::1"]
reserved = ["10.10.0.2-10.10.0.9"]
addressing = "dhcp"
router = "hv"

[networks.lab]
ipv4 = "10.20.0.0/24"
gateway4 = "10.20.0.1"
ipv6 = "fd20::/64"
gateway6 = "fd20::1"
router = "hv"

[networks.peering]
ipv4 = "10.30.0.0/24"
gateway4 = "fe80::1"
ipv6 = "fd30::/64"
gateway6 = "fe80::1"
router = "hv"

[hosts.hv]
uplink = "eno1"
interfaces = [{ network = "lan", ipv4 = "192.168.1.10" }]

[vms.web]
host = "hv"
machine_id = "0123456789abcdef0123456789abcdef"
interfaces = [{ network = "vms" }]

[vms.db]
host = "hv"
machine_id = "fedcba9876543210fedcba9876543210"
interfaces = [{ network = "lab" }]
"""

REPORT = """configurations: builtins.mapAttrs (name: c: {
  networks = c.config.systemd.network.networks;
  nat = c.config.networking.nat;
  sysctl = c.config.boot.kernel.sysctl;
}) configurations"""


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = write_fleet(tmp_path_factory.mktemp("homelab") / "fleet", FLEET)
    generate(directory)
    return directory


@pytest.fixture(scope="module", params=["current", "legacy"])
def evaluated(request, fleet_dir: Path, tmp_path_factory) -> dict:
    flake = staged(fleet_dir, tmp_path_factory.mktemp("staged"))
    return nixeval.eval_flake(
        flake, "nixosConfigurations", inputs(request.param), apply=REPORT
    )


def test_the_router_holds_the_gateways_and_serves_dhcp(evaluated):
    assert evaluated["hv"]["networks"]["20-vms"] == {
        "matchConfig": {"Name": "vms"},
        "address": ["10.10.0.1/24", "fd10::1/64"],
        "networkConfig": {
            "ConfigureWithoutCarrier": True,
            "IPv4Forwarding": True,
            "IPv6Forwarding": True,
            "IPv6SendRA": True,
            "DHCPServer": True,
        },
        "ipv6Prefixes": [{"Prefix": "fd10::/64", "AddressAutoconfiguration": True}],
        "dhcpServerConfig": {
            "ServerAddress": "10.10.0.1/24",
            "PoolOffset": 10,
            "PoolSize": 245,
            "DNS": ["10.10.0.1"],
        },
        "linkConfig": {"RequiredForOnline": "no"},
    }


def test_a_static_network_is_announced_but_not_autoconfigured(evaluated):
    lab = evaluated["hv"]["networks"]["20-lab"]
    assert lab["address"] == ["10.20.0.1/24", "fd20::1/64"]
    assert lab["ipv6Prefixes"] == [
        {"Prefix": "fd20::/64", "AddressAutoconfiguration": False}
    ]
    assert "DHCPServer" not in lab["networkConfig"]
    assert "gateway" not in lab


def test_an_ipv6_next_hop_for_ipv4_is_held_once_with_a_route_to_the_vms(evaluated):
    peering = evaluated["hv"]["networks"]["20-peering"]
    assert peering["address"] == ["fe80::1/64"]
    assert peering["routes"] == [{"Destination": "10.30.0.0/24"}]


def test_ipv4_leaves_through_nat_out_of_the_bridge_holding_the_uplink(evaluated):
    host = evaluated["hv"]
    assert host["nat"] == {
        "enable": True,
        "internalIPs": ["10.10.0.0/24", "10.20.0.0/24", "10.30.0.0/24"],
        "internalIPv6s": [],
        "externalInterface": "lan",
    }
    assert host["sysctl"] == {
        "net.ipv4.conf.all.forwarding": True,
        "net.ipv6.conf.all.forwarding": True,
    }
    # The uplink stays on the physical network's bridge, never on a routed one.
    assert host["networks"]["30-lan-ports"]["matchConfig"]["Name"] == ["eno1"]
    assert host["networks"]["30-vms-ports"]["matchConfig"]["Name"] == ["vm-web"]
    assert host["networks"]["20-lan"]["gateway"] == ["192.168.1.1"]


def test_the_guests_ask_the_router(evaluated):
    web = evaluated["web"]["networks"]["10-vms"]
    assert web["networkConfig"] == {"DHCP": "yes", "IPv6AcceptRA": True}
    db = evaluated["db"]["networks"]["10-lab"]
    assert db["gateway"] == ["10.20.0.1", "fd20::1"]


def test_nothing_is_allocated_inside_the_dhcp_pool(fleet_dir: Path):
    lock = compile_dir(fleet_dir).lock_text
    assert "10.10.0." not in lock and 'ipv4 = "10.20.0.2"' in lock


def test_a_vm_of_another_host_on_the_routed_network_is_refused(tmp_path: Path):
    text = FLEET + '\n[hosts.other]\n\n[vms.far]\nhost = "other"\n'
    text += 'interfaces = [{ network = "lab" }]\n'
    result = compile(Source("fleet.toml", text), Placement(PurePosixPath(tmp_path)))
    [refused] = [d for d in result.diagnostics if d.code == "F222"]
    assert refused.span.line_col == (len(text.splitlines()), 27)
    assert "is routed by `hv` on its own bridge" in refused.message


# -- the keys, as the installed systemd.network(5) documents them ---------------

MAN = Path("/usr/share/man/man5/systemd.network.5.gz")
# Newer than Debian 12's systemd 252: systemd 256 split IPForward= into these.
NEWER = {"IPv4Forwarding", "IPv6Forwarding"}
# nixpkgs' attribute -> the unit section it writes
SECTIONS = {
    "networkConfig": "NETWORK",
    "dhcpServerConfig": "DHCPSERVER",
    "ipv6Prefixes": "IPV6PREFIX",
    "linkConfig": "LINK",
    "matchConfig": "MATCH",
    "routes": "ROUTE",
}


def documented() -> dict[str, set[str]]:
    """Section -> the option names systemd.network(5) documents in it."""
    text = gzip.decompress(MAN.read_bytes()).decode()
    found: dict[str, set[str]] = {}
    for part in re.split(r'\n\.SH "\[', text)[1:]:
        section = part.split("]", 1)[0]
        found[section] = set(re.findall(r"\\fI([A-Za-z0-9]+)=\\fR", part))
    return found


@pytest.mark.skipif(not MAN.exists(), reason="Debian's systemd package installs it")
def test_every_networkd_key_is_systemds(evaluated):
    options = documented()
    units = [u for c in evaluated.values() for u in c["networks"].values()]
    for unit in units:
        for attribute, section in SECTIONS.items():
            entries = unit.get(attribute, {})
            for entry in entries if isinstance(entries, list) else [entries]:
                unknown = set(entry) - options[section] - NEWER
                assert unknown == set(), (attribute, unknown)
