"""A host never routes through itself: where its own address on a network is
the network's gateway, its unit on that network has no Gateway= (nor an
RFC 8950 route) through that address. Held for a fleet built to have it, and
for every fleet the repository has (samples, golden cases), through the
emitted settings and through Nix reading the emitted host module."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import compile_dir
from fleetc.emit.host_network import host_network
from fleetc.core.model import Fleet, Host, HostInterface, Interface, Network, Vm
from fleetc.core.pipeline import Layout
from fleetc.emit import emit
from tests.support.goldens import case_dirs, sample_dirs

LAN = Network(
    "lan",
    ipv4="10.0.0.0/24",
    gateway4="10.0.0.1",
    ipv6="fd00::/64",
    gateway6="fd00::1",
    bridge="br0",
)


def gateway_fleet(host_ipv6: str = "fd00::2") -> Fleet:
    host = Host(
        "gw",
        "x86_64-linux",
        uplink="eno1",
        interfaces=(HostInterface("lan", ipv4="10.0.0.1", ipv6=host_ipv6),),
    )
    nic = Interface("lan", "10.0.0.10", "fd00::10", "02:00:00:00:00:10", "vm-web")
    vm = Vm("web", "gw", "x86_64-linux", machine_id="1" * 32, interfaces=(nic,))
    return Fleet("t", networks=(LAN,), hosts=(host,), vms=(vm,))


def units(fleet: Fleet, host: Host) -> dict:
    settings = host_network(fleet, host, list(fleet.vms_on(host.name)))
    return settings.get(("systemd", "network", "networks"), {})


def routes_through_itself(unit: dict) -> list[str]:
    """The unit's gateways (Gateway= and route gateways) that are its own addresses."""
    own = {ipaddress.ip_interface(a).ip for a in unit.get("address", [])}
    gateways = list(unit.get("gateway", []))
    gateways += [r["Gateway"] for r in unit.get("routes", []) if "Gateway" in r]
    return [gw for gw in gateways if ipaddress.ip_address(gw) in own]


def test_the_gateway_host_keeps_only_the_other_familys_gateway():
    fleet = gateway_fleet()
    bridge = units(fleet, fleet.hosts[0])["20-br0"]
    assert bridge["address"] == ["10.0.0.1/24", "fd00::2/64"]
    assert bridge["gateway"] == ["fd00::1"]
    assert routes_through_itself(bridge) == []


def test_a_host_holding_both_gateways_gets_no_gateway_at_all(tmp_path: Path):
    fleet = gateway_fleet(host_ipv6="fd00::1")
    files = emit(fleet, Layout("fleet.toml", "..", None))
    path = tmp_path / "gw.nix"
    path.write_text(files["hosts/gw.nix"])
    nixeval.parse([path])
    expr = f"(import {path} {{ config = {{ }}; lib = {{ }}; inputs = {{ }}; self = {{ }}; }})"
    bridge = nixeval.eval_json(expr + '.systemd.network.networks."20-br0"')
    assert bridge["address"] == ["10.0.0.1/24", "fd00::1/64"]
    assert "gateway" not in bridge and "routes" not in bridge


def test_the_vms_still_route_through_the_gateway_host():
    from fleetc.emit.guest_network import guest_network

    fleet = gateway_fleet()
    unit = guest_network(fleet, fleet.vms[0])[
        ("systemd", "network", "networks", "10-lan")
    ]
    assert unit["gateway"] == ["10.0.0.1", "fd00::1"]


@pytest.mark.parametrize(
    "fleet_dir",
    sample_dirs()
    + [case for case in case_dirs() if (case / "expected" / "flake.nix").exists()],
    ids=lambda path: path.name,
)
def test_no_host_of_any_fleet_routes_through_itself(fleet_dir: Path):
    result = compile_dir(fleet_dir)
    assert result.ok
    for host in result.fleet.hosts:
        for name, unit in units(result.fleet, host).items():
            assert routes_through_itself(unit) == [], (host.name, name)
