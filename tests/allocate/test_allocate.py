"""Allocation, one allocator at a time, against values worked out by hand."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import random
import subprocess
import time
from dataclasses import replace

import pytest

from fleetc import checks
from fleetc.allocate import allocate, lock_changes
from fleetc.allocate.addresses import Pool
from fleetc.core import inet
from fleetc.core.diagnostics import CODES, render_text
from fleetc.lock.seal import seal
from fleetc.lock.lockfile import Lock, LockedInterface, LockedVm, freeze, parse_lock
from fleetc.core.model import Fleet, Host, HostInterface, Interface, Network, Vm
from fleetc.core.source import Source, Span

LAN = Network(
    "lan",
    ipv4="10.0.0.0/24",
    gateway4="10.0.0.1",
    ipv6="fd12:3456:789a::/64",
    gateway6="fd12:3456:789a::1",
    bridge="br0",
)
SERVER1 = Host("server1", "x86_64-linux", uplink="eno1")
SERVER2 = Host("server2", "x86_64-linux", uplink="eno1")


def seeded(seed: int = 0):
    generator = random.Random(seed)
    return generator.randbytes


def vm(name: str, host: str = "server1", *interfaces: Interface, **fields) -> Vm:
    return Vm(name, host, "x86_64-linux", interfaces=interfaces, **fields)


def on_lan(**fields) -> Interface:
    return Interface("lan", **fields)


def fleet(*vms: Vm, networks=(LAN,), hosts=(SERVER1, SERVER2), **fields) -> Fleet:
    return Fleet("test", networks=networks, hosts=hosts, vms=vms, **fields)


def run(fleet_: Fleet, lock: Lock | None = None, entropy=None):
    return allocate(fleet_, lock or Lock(), entropy or seeded())


def by_name(fleet_: Fleet) -> dict[str, Vm]:
    return {v.name: v for v in fleet_.vms}


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


# -- machine-ids -----------------------------------------------------------------


def nix_machine_id(name: str) -> str:
    """What microvm.nix's default `microvm.machineId` hashes, computed by Nix."""
    expr = (
        f'builtins.substring 0 32 (builtins.hashString "sha256" "microvm.nix:{name}")'
    )
    out = subprocess.run(
        ["nix-instantiate", "--eval", "--json", "-E", expr],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_derived_machine_id_is_microvm_nix_default():
    allocated, _, diagnostics = run(fleet(vm("web")))
    expected = hashlib.sha256(b"microvm.nix:web").hexdigest()[:32]
    assert expected == "dc449f31234aaf5fa0e82c21ab644d76"  # sha256sum, by hand
    assert allocated.vms[0].machine_id == expected == nix_machine_id("web")
    assert diagnostics == []


def test_derived_machine_id_uses_host_name_not_fqdn():
    allocated, _, _ = run(fleet(vm("web"), domain="example.org"))
    assert allocated.vms[0].machine_id == nix_machine_id("web")


def test_derived_machine_id_colliding_with_a_host_is_replaced():
    taken = nix_machine_id("web")
    host = replace(SERVER1, machine_id=taken)
    allocated, _, diagnostics = run(fleet(vm("web"), hosts=(host, SERVER2)))
    machine_id = allocated.vms[0].machine_id
    assert machine_id != taken
    assert len(machine_id) == 32 and int(machine_id, 16)
    assert not checks.run(allocated) and diagnostics == []


def test_random_machine_id_is_a_uuid_v4_from_entropy():
    allocated, _, _ = run(
        fleet(vm("web"), machine_ids="random"), entropy=bytes_of(0xFF)
    )
    # All ones, with the version nibble forced to 4 and the variant bits to 10.
    assert allocated.vms[0].machine_id == "ffffffffffff4fffbfffffffffffffff"


def test_random_machine_ids_from_a_stuck_entropy_source_fail_loudly():
    with pytest.raises(RuntimeError, match="entropy"):
        run(fleet(vm("a"), vm("b"), machine_ids="random"), entropy=bytes_of(7))


def test_random_machine_id_draws_again_on_collision():
    first = "00112233445566778899aabbccddeeff"
    host = replace(SERVER1, machine_id="001122334455467788" + "99aabbccddeeff")
    draws = iter([bytes.fromhex(first), bytes.fromhex("11" * 16)])
    allocated, _, _ = run(
        fleet(vm("web"), hosts=(host,), machine_ids="random"),
        entropy=lambda n: next(draws),
    )
    assert allocated.vms[0].machine_id == "11111111111141119111111111111111"


def bytes_of(value: int):
    return lambda n: bytes([value]) * n


# -- MACs ------------------------------------------------------------------------


def test_mac_is_hash_of_fqdn_and_network_locally_administered():
    allocated, _, _ = run(fleet(vm("web", "server1", on_lan()), domain="example.org"))
    # sha256("web.example.org lan") starts 27 9a b0 c7 c2 a1; 0x27 -> 0x26
    # (locally administered bit already set, multicast bit cleared).
    assert allocated.vms[0].interfaces[0].mac == "26:9a:b0:c7:c2:a1"


def test_mac_collision_with_a_written_mac_rehashes():
    written = on_lan(mac="26:9a:b0:c7:c2:a1")
    allocated, _, _ = run(
        fleet(
            vm("db", "server1", written),
            vm("web", "server1", on_lan()),
            domain="example.org",
        )
    )
    mac = by_name(allocated)["web"].interfaces[0].mac
    # sha256("web.example.org lan 1") starts 45 79 ff 10 d8 9e (sha256sum);
    # 0x45 -> 0x46: locally administered bit set, multicast bit cleared.
    assert mac == "46:79:ff:10:d8:9e"


# -- addresses -------------------------------------------------------------------


def test_lowest_free_address_skips_everything_in_use():
    net = replace(LAN, reserved=("10.0.0.3-10.0.0.5", "10.0.0.7"))
    host = replace(SERVER1, interfaces=(HostInterface("lan", ipv4="10.0.0.2"),))
    allocated, _, diagnostics = run(
        fleet(
            vm("a", "server1", on_lan(ipv4="10.0.0.6")),
            vm("b", "server1", on_lan()),
            vm("c", "server1", on_lan()),
            networks=(net,),
            hosts=(host,),
        )
    )
    vms = by_name(allocated)
    # .0 network, .1 gateway, .2 host, .3-.5 reserved, .6 written, .7 reserved
    assert vms["b"].interfaces[0].ipv4 == "10.0.0.8"
    assert vms["c"].interfaces[0].ipv4 == "10.0.0.9"
    # a wrote only its IPv4 address: its IPv6 one comes first.
    assert vms["a"].interfaces[0].ipv6 == "fd12:3456:789a::2"
    assert vms["b"].interfaces[0].ipv6 == "fd12:3456:789a::3"
    assert diagnostics == []


def test_false_means_no_address_and_no_prefix_means_none():
    v4_only = Network("v4", ipv4="10.1.0.0/24")
    allocated, lock, _ = run(
        fleet(
            vm("web", "server1", on_lan(ipv4=False), Interface("v4")),
            networks=(LAN, v4_only),
        )
    )
    lan, v4 = allocated.vms[0].interfaces
    assert lan.ipv4 is False and lan.ipv6 == "fd12:3456:789a::2"
    assert v4.ipv4 == "10.1.0.1" and v4.ipv6 is None
    assert lock.vms["web"].interfaces["lan"].ipv4 is None
    assert lock.vms["web"].interfaces["v4"].ipv6 is None


def test_small_subnets_use_every_address():
    point = Network("p2p", ipv4="10.2.0.0/31")
    allocated, _, diagnostics = run(
        fleet(vm("a", "server1", Interface("p2p")), networks=(point,))
    )
    assert allocated.vms[0].interfaces[0].ipv4 == "10.2.0.0"
    assert diagnostics == []


def test_exhausted_network_is_one_diagnostic_naming_it():
    tiny = Network("tiny", ipv4="10.0.0.0/30", gateway4="10.0.0.1")
    vms = [vm(name, "server1", Interface("tiny")) for name in ("a", "b", "c")]
    allocated, _, diagnostics = run(fleet(*vms, networks=(tiny,)))
    assert codes(diagnostics) == ["F804"]
    assert diagnostics[0].message == (
        "network `tiny` has run out of IPv4 addresses: 10.0.0.0/30 has 4 addresses,"
        " 3 VMs ask for one, and 2 cannot have one"
    )
    assert by_name(allocated)["a"].interfaces[0].ipv4 == "10.0.0.2"
    assert by_name(allocated)["b"].interfaces[0].ipv4 is None


def test_ten_thousand_vms_in_one_slash_16_is_fast():
    net = Network("big", ipv4="10.0.0.0/16", gateway4="10.0.0.1", ipv6="fd00::/64")
    net = replace(net, reserved=("10.0.0.2-10.0.3.255",))
    hosts = tuple(Host(f"h{i}", "x86_64-linux") for i in range(1000))
    vms = [vm(f"vm{i}", f"h{i % 1000}", Interface("big")) for i in range(10_000)]
    start = time.perf_counter()
    allocated, lock, diagnostics = run(fleet(*vms, networks=(net,), hosts=hosts))
    elapsed = time.perf_counter() - start
    addresses = {v.interfaces[0].ipv4 for v in allocated.vms}
    assert len(addresses) == 10_000 and diagnostics == []
    assert "10.0.4.0" in addresses and "10.0.3.255" not in addresses
    assert by_name(allocated)["vm9999"].interfaces[0].ipv4 == "10.0.43.15"
    assert elapsed < 10, f"allocation took {elapsed:.1f}s"


def test_address_cursor_never_rescans_a_full_slash_16():
    """Handing out all 65,533 addresses one by one: a scan from the start per
    address would take billions of steps; the moving cursor takes one each."""
    net = Network("big", ipv4="10.0.0.0/16", gateway4="10.0.0.1")
    pool = Pool(net, inet.subnets(fleet(networks=(net,)))["big"], 4)
    taken: dict = {int(ipaddress.ip_address("10.0.0.1")): "gateway"}
    start = time.perf_counter()
    while (value := pool.next_free(taken)) is not None:
        taken[value] = "vm"
    assert len(taken) == 65_534  # all but the network and broadcast addresses
    assert time.perf_counter() - start < 5


# -- tap ids ---------------------------------------------------------------------


def test_tap_ids_are_readable_and_fit():
    wan = Network("wan", ipv4="192.168.0.0/24")
    allocated, _, _ = run(
        fleet(
            vm("web", "server1", on_lan(), Interface("wan")),
            vm("averyveryverylongname", "server1", on_lan()),
            networks=(LAN, wan),
        )
    )
    vms = by_name(allocated)
    assert [i.id for i in vms["web"].interfaces] == ["vm-web", "vm-web-wan"]
    suffix = hashlib.sha256(b"averyveryverylongname lan 0").hexdigest()[:4]
    assert vms["averyveryverylongname"].interfaces[0].id == f"vm-averyve-{suffix}"


def test_tap_id_collisions_are_per_host():
    taken = on_lan(id="vm-web")
    allocated, _, _ = run(
        fleet(
            vm("other", "server1", taken),
            vm("web", "server1", on_lan()),
            vm("web2", "server2", on_lan(id="vm-web2")),
        )
    )
    web = by_name(allocated)["web"].interfaces[0].id
    suffix = hashlib.sha256(b"web lan 1").hexdigest()[:4]
    assert web == f"vm-web-{suffix}"
    assert not checks.run(allocated)


def test_tap_id_never_takes_a_bridge_or_uplink_name():
    net = replace(LAN, bridge="vm-web")
    host = replace(SERVER1, uplink="vm-db")
    allocated, _, _ = run(
        fleet(
            vm("web", "server1", on_lan()),
            vm("db", "server1", on_lan()),
            networks=(net,),
            hosts=(host,),
        )
    )
    ids = [v.interfaces[0].id for v in allocated.vms]
    assert "vm-web" not in ids and "vm-db" not in ids
    assert all(len(i) <= 15 for i in ids)


# -- vsock CIDs ------------------------------------------------------------------


def test_vsock_cids_lowest_free_per_host():
    allocated, _, _ = run(
        fleet(
            vm("a", "server1", vsock_cid=3),
            vm("b", "server1", vsock=True),
            vm("c", "server1", vsock_cid=5),
            vm("d", "server1", vsock=True),
            vm("e", "server1", vsock=True),
            vm("f", "server2", vsock=True),
        )
    )
    cids = {v.name: v.vsock_cid for v in allocated.vms}
    assert cids == {"a": 3, "b": 4, "c": 5, "d": 6, "e": 7, "f": 3}


def test_vms_that_do_not_ask_for_vsock_get_no_cid():
    allocated, lock, _ = run(
        fleet(vm("a"), vm("b", vsock=False), vm("c", vsock=True), vm("d"))
    )
    cids = {v.name: v.vsock_cid for v in allocated.vms}
    assert cids == {"a": None, "b": None, "c": 3, "d": None}
    assert {name: v.vsock_cid for name, v in lock.vms.items()} == cids


def test_a_locked_cid_of_a_vm_that_no_longer_asks_is_released():
    """A lock from fleetc 0.1 holds a CID for every VM: released, and said so."""
    text = 'version = 1\n[vms.a]\nhost = "server1"\nvsock_cid = 3\n'
    text += '[vms.b]\nhost = "server1"\nvsock_cid = 4\n'
    old, problems = parse_lock(Source("fleet.lock", text))
    assert [p.code for p in problems] == ["F808"]  # a 0.1 lock: no checksum yet
    allocated, new_lock, diagnostics = run(fleet(vm("a"), vm("b", vsock=True)), old)
    assert diagnostics == []
    assert [v.vsock_cid for v in allocated.vms] == [None, 4]
    assert new_lock.vms["a"].vsock_cid is None
    assert "a: vsock_cid released (was 3)" in lock_changes(old, new_lock)


# -- the lock --------------------------------------------------------------------


def test_lock_values_are_reused_and_written_values_win():
    lock = Lock(
        freeze(
            {
                "web": LockedVm(
                    host="server1",
                    machine_id="0123456789abcdef0123456789abcdef",
                    vsock_cid=42,
                    interfaces=freeze(
                        {
                            "lan": LockedInterface(
                                ipv4="10.0.0.77", mac="02:00:00:00:00:01"
                            )
                        }
                    ),
                )
            }
        )
    )
    written = on_lan(ipv4="10.0.0.20")
    asking = vm("web", "server1", written, vsock=True)
    allocated, new_lock, diagnostics = run(fleet(asking), lock)
    web = allocated.vms[0]
    assert web.machine_id == "0123456789abcdef0123456789abcdef"
    assert web.vsock_cid == 42
    assert web.interfaces[0].ipv4 == "10.0.0.20"
    assert web.interfaces[0].mac == "02:00:00:00:00:01"
    assert new_lock.vms["web"].interfaces["lan"].ipv4 == "10.0.0.20"
    assert diagnostics == []
    assert lock_changes(lock, new_lock) == [
        "web: lan id vm-web",
        "web: lan ipv4 10.0.0.20 (was 10.0.0.77)",
        "web: lan ipv6 fd12:3456:789a::2",
    ]


LOCK_BODY = """\
version = 2

[vms.web]
host = "server1"

[vms.web.interfaces.lan]
ipv4 = "10.0.0.2"
"""
LOCK_TEXT = seal(LOCK_BODY)


def test_lock_conflict_with_a_written_value_is_reported_not_moved():
    source = Source("fleet.toml", 'ipv4 = "10.0.0.2"\n')
    written = on_lan(ipv4="10.0.0.2", spans=freeze({"ipv4": Span(source, 7, 17)}))
    lock, problems = parse_lock(Source("fleet.lock", LOCK_TEXT))
    assert problems == []
    allocated, new_lock, diagnostics = run(
        fleet(vm("db", "server1", written), vm("web", "server1", on_lan())), lock
    )
    assert codes(diagnostics) == ["F803"]
    text = render_text(diagnostics[0])
    assert text.splitlines()[:5] == [
        "error[F803]: fleet.lock gives IPv4 address 10.0.0.2 of network `lan` to vm"
        " `web`, but vm `db` has it now",
        " --> fleet.toml:1:8",
        "  |",
        '1 | ipv4 = "10.0.0.2"',
        "  |        ^^^^^^^^^^ locked for vm `web` (fleet.lock:7:8)",
    ]
    assert "delete `ipv4` in [vms.web.interfaces.lan] from fleet.lock" in text
    # Nothing moved: the lock keeps web's address, and web gets no other one.
    assert new_lock.vms["web"].interfaces["lan"].ipv4 == "10.0.0.2"
    assert by_name(allocated)["web"].interfaces[0].ipv4 is None


def test_locked_address_outside_a_renumbered_network_is_reported():
    lock, _ = parse_lock(Source("fleet.lock", LOCK_TEXT))
    renumbered = replace(LAN, ipv4="10.9.0.0/24", gateway4="10.9.0.1")
    _, _, diagnostics = run(
        fleet(vm("web", "server1", on_lan()), networks=(renumbered,)), lock
    )
    assert codes(diagnostics) == ["F803"]
    assert diagnostics[0].message == (
        "fleet.lock's ipv4 for vm `web` is no longer usable: 10.0.0.2 is outside"
        " network `lan` (10.9.0.0/24)"
    )
    assert diagnostics[0].span.location() == "fleet.lock:7:8"


def test_a_moved_vm_keeps_per_host_values_when_free_else_gets_new_ones():
    first, lock, _ = run(
        fleet(
            vm("a", "server1", on_lan(), vsock=True),
            vm("b", "server2", on_lan(), vsock=True),
        )
    )
    assert first.vms[1].vsock_cid == 3
    moved, new_lock, diagnostics = run(
        fleet(
            vm("a", "server1", on_lan(), vsock=True),
            vm("b", "server1", on_lan(), vsock=True),
        ),
        lock,
    )
    assert diagnostics == []
    a, b = moved.vms
    assert (a.vsock_cid, b.vsock_cid) == (3, 4)  # a stayed: it keeps 3
    assert b.interfaces[0].id == "vm-b"  # free on server1 too: kept
    assert b.machine_id == first.vms[1].machine_id
    assert lock_changes(lock, new_lock) == [
        "b: host server1 (was server2)",
        "b: vsock_cid 4 (was 3)",
    ]


def test_removed_vms_leave_the_lock():
    _, lock, _ = run(fleet(vm("a"), vm("b")))
    _, new_lock, _ = run(fleet(vm("b")), lock)
    assert set(new_lock.vms) == {"b"}
    assert lock_changes(lock, new_lock) == ["removed a (no longer in the fleet)"]
    assert lock_changes(new_lock, lock) == ["added a"]


def test_allocated_fleet_passes_every_check():
    net = replace(LAN, reserved=("10.0.0.2-10.0.0.9",))
    host = replace(SERVER1, machine_id=nix_machine_id("web"))
    vms = [vm(f"vm{i}", f"server{i % 2 + 1}", on_lan()) for i in range(40)]
    vms.append(vm("web", "server1", on_lan(mac="02:00:00:00:00:01")))
    allocated, _, diagnostics = run(fleet(*vms, networks=(net,), hosts=(host, SERVER2)))
    assert diagnostics == []
    assert checks.run(allocated) == [] and checks.complete(allocated) == []


@pytest.mark.parametrize("mode", ["derived", "random"])
def test_unallocated_fleet_is_what_completeness_rejects(mode):
    """The other side of the test above: the checks can fail on these fields."""
    plain = fleet(vm("web", "server1", on_lan()), machine_ids=mode)
    assert {d.code for d in checks.complete(plain)} >= {"F114", "F209", "F305", "F404"}


def test_ipv6_addresses_with_small_values_stay_ipv6():
    low = Network("low", ipv6="::100:0/120")
    allocated, lock, _ = run(
        fleet(vm("web", "server1", Interface("low")), networks=(low,))
    )
    assert allocated.vms[0].interfaces[0].ipv6 == "::100:1"
    assert lock.vms["web"].interfaces["low"].ipv6 == "::100:1"


def test_a_moved_vm_still_reports_fleet_wide_conflicts():
    text = seal(LOCK_BODY.replace('host = "server1"', 'host = "server2"'))
    lock, _ = parse_lock(Source("fleet.lock", text))
    _, _, diagnostics = run(
        fleet(
            vm("db", "server1", on_lan(ipv4="10.0.0.2")), vm("web", "server1", on_lan())
        ),
        lock,
    )
    assert codes(diagnostics) == ["F803"]


def test_hand_broken_lock_with_one_cid_twice_on_a_host():
    text = 'version = 2\n[vms.a]\nhost = "server1"\nvsock_cid = 7\n'
    text += '[vms.b]\nhost = "server1"\nvsock_cid = 7\n'
    lock, problems = parse_lock(Source("fleet.lock", seal(text)))
    assert problems == []  # per-host values are judged against the fleet's hosts
    _, _, diagnostics = run(fleet(vm("a", vsock=True), vm("b", vsock=True)), lock)
    assert codes(diagnostics) == ["F803"]
    assert diagnostics[0].span.location() == "fleet.lock:7:13"
    assert diagnostics[0].label == "held by vm `a` (fleet.lock) (fleet.lock:4:13)"


def test_lock_codes_are_registered():
    assert {"F801", "F802", "F803", "F804"} <= set(CODES)


FLEET_TOML = """\
[fleet]
name = "t"
machine_ids = "random"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"

[hosts.server1]

[vms.web]
host = "server1"
interfaces = [{ network = "lan" }]

[vms.db]
host = "server1"
interfaces = [{ network = "lan", ipv4 = "10.0.0.2" }]
"""


def test_from_fleet_toml_to_a_located_conflict():
    from fleetc.frontend import load

    loaded, problems = load(Source("fleet.toml", FLEET_TOML))
    assert problems == [] and loaded.machine_ids == "random"
    lock, _ = parse_lock(Source("fleet.lock", LOCK_TEXT))
    counter = iter(range(256))
    allocated, _, diagnostics = run(loaded, lock, lambda n: bytes([next(counter)]) * n)
    assert by_name(allocated)["web"].machine_id == "00000000000040008000000000000000"
    assert by_name(allocated)["db"].machine_id == "01010101010141018101010101010101"
    assert render_text(diagnostics[0]).splitlines()[1:5] == [
        "  --> fleet.toml:17:41",
        "   |",
        '17 | interfaces = [{ network = "lan", ipv4 = "10.0.0.2" }]',
        "   |                                         ^^^^^^^^^^ locked for vm `web`"
        " (fleet.lock:7:8)",
    ]
