"""Random histories of a fleet: VMs added, removed, renamed and moved.

After every step the lock goes through render and parse (as between two runs
of the CLI), and then: no value of a surviving VM has moved (except per-host
values of a VM that moved host), every value is unique where it must be, and
the allocated fleet passes every check.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetc import checks
from fleetc.allocate import allocate
from fleetc.lock.lockfile import Lock, parse_lock, render_lock
from fleetc.core.model import Fleet, Host, HostInterface, Interface, Network, Vm
from fleetc.core.source import Source

LAN = Network(
    "lan",
    ipv4="10.0.0.0/24",
    gateway4="10.0.0.1",
    ipv6="fd00:1::/64",
    bridge="br0",
    reserved=("10.0.0.100-10.0.0.199", "10.0.0.5"),
)
WAN = Network("wan", ipv4="192.168.7.0/26", gateway4="192.168.7.1", bridge="br1")
HOSTS = (
    Host(
        "h1",
        "x86_64-linux",
        uplink="eno1",
        machine_id="dc449f31234aaf5fa0e82c21ab644d76",  # what "web" would derive
        interfaces=(HostInterface("lan", ipv4="10.0.0.2"),),
    ),
    Host("h2", "x86_64-linux", uplink="vm-db"),
    Host("h3", "x86_64-linux"),
)
# Written by hand and never changed: allocation must work around them.
FIXED = (
    Vm(
        "fixed",
        "h1",
        "x86_64-linux",
        vsock_cid=3,
        interfaces=(Interface("lan", ipv4="10.0.0.3", mac="02:00:00:00:00:01"),),
    ),
)

vm_names = st.from_regex(r"[a-z]([a-z0-9-]{0,16}[a-z0-9])?", fullmatch=True)
hosts = st.sampled_from([h.name for h in HOSTS])
networks = st.sampled_from([("lan",), ("lan", "wan"), ("wan",), ()])
operations = st.one_of(
    st.tuples(st.just("add"), vm_names, hosts, networks),
    st.tuples(st.just("remove"), st.integers(0, 99)),
    st.tuples(st.just("rename"), st.integers(0, 99), vm_names),
    st.tuples(st.just("move"), st.integers(0, 99), hosts),
)
MAX_VMS = 30  # the /26 "wan" holds 61 VMs: no step runs out


def apply(vms: list[Vm], operation: tuple) -> list[Vm]:
    kind, *args = operation
    # hosts and VMs share one namespace (F102): a VM never takes a host's name
    names = {vm.name for vm in vms} | {"fixed"} | {host.name for host in HOSTS}
    if kind == "add" and args[0] not in names and len(vms) < MAX_VMS:
        name, host, nets = args
        interfaces = tuple(Interface(net) for net in nets)
        # vsock = true: CIDs are allocated only to VMs that ask for them.
        added = Vm(name, host, "x86_64-linux", interfaces=interfaces, vsock=True)
        return vms + [added]
    if not vms or kind == "add":
        return vms
    index = args[0] % len(vms)
    if kind == "remove":
        return vms[:index] + vms[index + 1 :]
    if kind == "rename" and args[1] not in names:
        return _replace_at(vms, index, name=args[1])
    if kind == "move":
        return _replace_at(vms, index, host=args[1])
    return vms


def _replace_at(vms: list[Vm], index: int, **changes) -> list[Vm]:
    return vms[:index] + [replace(vms[index], **changes)] + vms[index + 1 :]


def between_runs(lock: Lock) -> Lock:
    parsed, diagnostics = parse_lock(Source("fleet.lock", render_lock(lock, "x")))
    assert diagnostics == []
    return parsed


@settings(max_examples=60, deadline=None)
@given(
    st.lists(operations, min_size=1, max_size=25),
    st.sampled_from(["derived", "random"]),
    st.integers(0, 2**32),
)
def test_history_never_moves_a_locked_value(history, mode, seed):
    entropy = random.Random(seed).randbytes
    vms: list[Vm] = []
    lock = Lock()
    for operation in history:
        vms = apply(vms, operation)
        fleet = Fleet("p", machine_ids=mode, networks=(LAN, WAN), hosts=HOSTS)
        fleet = replace(fleet, vms=FIXED + tuple(vms))
        allocated, new_lock, diagnostics = allocate(fleet, lock, entropy)
        assert diagnostics == []
        assert_nothing_moved(lock, new_lock, allocated)
        assert_unique(allocated)
        assert checks.run(allocated) == [] and checks.complete(allocated) == []
        assert set(new_lock.vms) == {vm.name for vm in allocated.vms}
        lock = between_runs(new_lock)


def assert_nothing_moved(old: Lock, new: Lock, fleet: Fleet) -> None:
    for vm in fleet.vms:
        before, after = old.vms.get(vm.name), new.vms[vm.name]
        if before is None:
            continue
        assert after.machine_id == before.machine_id == vm.machine_id
        stayed = before.host == vm.host
        if stayed:
            assert after.vsock_cid == before.vsock_cid == vm.vsock_cid
        for interface in vm.interfaces:
            was = before.interfaces.get(interface.network)
            now = after.interfaces[interface.network]
            if was is None:
                continue
            assert (now.mac, now.ipv4, now.ipv6) == (was.mac, was.ipv4, was.ipv6)
            assert (interface.mac, interface.ipv4) == (was.mac, was.ipv4)
            if stayed:
                assert now.id == was.id == interface.id


FAMILIES = ("ipv4", "ipv6")


def assert_unique(fleet: Fleet) -> None:
    """Independently of the checks: nothing twice where it must be unique."""
    ids = [m.machine_id for m in (*fleet.hosts, *fleet.vms) if m.machine_id]
    pairs = [(vm, i) for vm in fleet.vms for i in vm.interfaces]
    host_addresses = [
        ("ipv4", i.network, i.ipv4) for h in fleet.hosts for i in h.interfaces
    ]
    once(ids)
    once([i.mac for _, i in pairs])
    addresses = [(f, i.network, getattr(i, f)) for _, i in pairs for f in FAMILIES]
    once([a for a in addresses + host_addresses if a[2] is not None])
    once([(vm.host, i.id) for vm, i in pairs])
    once([(vm.host, vm.vsock_cid) for vm in fleet.vms])
    for vm, interface in pairs:
        assert len(interface.id.encode()) <= 15
        assert int(interface.mac[:2], 16) & 0x03 == 0x02
        assert vm.vsock_cid >= 3


def once(values: list) -> None:
    repeated = [v for v, n in Counter(values).items() if n > 1]
    assert repeated == []
