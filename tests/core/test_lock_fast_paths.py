"""fleet.lock's fast paths (issue 24) against the plain code, on random fleets
and locks: the same fleet, lock, text and diagnostics, at the same places.

- allocation of an unchanged fleet compares it with its lock
  (allocate/as_locked.py) instead of claiming each value again (`claimed`);
- the checksum line is looked for on the last line only (lock/seal.py);
- canonical IPv4 addresses become integers and back by arithmetic
  (allocate/addresses.py);
- the lock's tables are named with each name quoted once, and lock_changes
  skips the entries an unchanged fleet's new lock shares with the old.

The locks are fleetc's own, then spoilt as an untrusted one can be: values
another VM holds, outside the network, reserved, malformed, of another type,
missing or left over, entries gone or on another host.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import random
import re
from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetc import frontend
from fleetc.allocate import addresses, allocate, claimed, lock_changes, locked_values
from fleetc.allocate.as_locked import as_locked
from fleetc.core.diagnostics import has_errors, render_text
from fleetc.core.pipeline import compile
from fleetc.core.placement import Placement
from fleetc.core.source import Source
from fleetc.lock import seal
from fleetc.lock import lockfile
from fleetc.lock.lockfile import (
    Lock,
    LockedInterface,
    LockedVm,
    freeze,
    parse_lock,
    render_lock,
)

from tests.core.test_fast_paths import every_field

PLACE = Placement(PurePosixPath("/fleet"))
NETWORKS = """\
[networks.lan]
ipv4 = "10.0.0.0/24"
ipv6 = "fd00::/64"
gateway4 = "10.0.0.1"
reserved = ["10.0.0.100-10.0.0.199"]
bridge = "br0"

[networks.dmz]
ipv4 = "10.1.0.0/29"
bridge = "br1"

[networks.dhcp]
ipv4 = "10.2.0.0/24"
addressing = "dhcp"
bridge = "br2"

[networks.nat]
"""
# What a VM's table may write besides its host and interfaces: nothing (as
# the bench fleet), or a value fleetc allocates, or one that asks for none.
VM_EXTRAS = [
    "",
    "",
    "",
    "vsock = true\n",
    "vsock = false\n",
    "machine_id = false\n",
    'machine_id = "0123456789abcdef0123456789abcde{v}"\n',
    "vsock_cid = 1{v}\n",
]
INTERFACES = [
    '{{ network = "lan" }}',
    '{{ network = "lan", ipv4 = "10.0.0.7{v}" }}',
    '{{ network = "lan", ipv4 = false, ipv6 = false }}',
    '{{ network = "lan", mac = "02:AA:00:00:00:0{v}" }}',
    '{{ network = "dmz" }}',
    '{{ network = "dmz", id = "tap-d{v}" }}',
    '{{ network = "dhcp" }}',
    '{{ network = "nat", type = "user" }}',
    '{{ network = "nat", type = "user", id = "u0" }}',
]
# What a spoilt lock may hold instead of a value, by field: held by a host or
# a gateway, reserved, outside the network, malformed, not canonical.
SPOILS = {
    "ipv4": [
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.150",
        "192.168.9.9",
        "10.0.0.0",
        "10.0.0.255",
        "10.1.0.7",
        "10.0.0.300",
        "010.0.0.3",
        "fd00::2",
    ],
    "ipv6": ["fd00::2", "FD00::2", "fd00::", "fd01::1", "10.0.0.3"],
    "mac": ["02:00:00:00:00:01", "02:AA:00:00:00:01", "03:00:00:00:00:01", "x"],
    "machine_id": ["f" * 32, "0" * 32, "A" * 32, "f" * 31],
    "id": ["vm-x", "eno1", "br0", "br1", "u0", "a b", "x" * 16],
    "vsock_cid": [3, 2, True, 2**32 - 1, "5"],
    "host": ["h0", "h1", "h2", None, "gone"],
}
OTHER_SPOILS = [None, 3, "x", 5.0]


def fleet_text(rng: random.Random) -> str:
    parts = ['[fleet]\nname = "t"\ndomain = "t.example"\n', NETWORKS]
    for h in range(3):
        parts.append(f'[hosts.h{h}]\nuplink = "eno1"\n')
    parts.append('interfaces = [{ network = "lan", ipv4 = "10.0.0.2" }]\n')
    for v in range(rng.randrange(1, 9)):
        chosen = rng.sample(INTERFACES, rng.choice((1, 1, 2)))
        if len({i.split('"')[1] for i in chosen}) < len(chosen):
            chosen = chosen[:1]
        parts.append(
            f'[vms.v{v}]\nhost = "h{rng.randrange(3)}"\n'
            f"interfaces = [{', '.join(chosen)}]\n".format(v=v)
            + rng.choice(VM_EXTRAS).format(v=v)
        )
    return "\n".join(parts)


def changed_fleet(text: str, rng: random.Random) -> str:
    """The fleet after its lock was written: unchanged (mostly), or a VM
    moved, added, written with another VM's value or asking for less."""
    change = rng.randrange(8)
    if change == 0:
        return text.replace('host = "h0"', 'host = "h1"', 1)
    if change == 1:
        return text + '\n[vms.new]\nhost = "h2"\ninterfaces = [{ network = "lan" }]\n'
    if change == 2:
        return text.replace(
            '{ network = "lan" }', '{ network = "lan", ipv4 = "10.0.0.2" }', 1
        )
    if change == 3:
        return text.replace(
            '{ network = "lan" }', '{ network = "lan", ipv4 = false }', 1
        )
    if change == 4:
        return text.replace("vsock = true\n", "", 1)
    return text


def spoilt(lock: Lock, rng: random.Random) -> Lock:
    """Some of the lock's values replaced by others (another entry's among
    them), an entry dropped or moved, an interface dropped or added."""
    held: dict[str, list] = {}
    for entry in lock.vms.values():
        for node in (entry, *entry.interfaces.values()):
            for name in FIELDS:
                if getattr(node, name, None) is not None:
                    held.setdefault(name, []).append(getattr(node, name))
    vms = dict(lock.vms)
    for _ in range(rng.choice((1, 1, 2))):
        if not vms:
            break
        name = rng.choice(sorted(vms))
        vms[name] = spoilt_entry(vms[name], held, rng)
    if vms and rng.random() < 0.1:
        vms.pop(rng.choice(sorted(vms)))
    return Lock(freeze(vms), lock.retired)


FIELDS = ("machine_id", "vsock_cid", "mac", "ipv4", "ipv6", "id")


def spoilt_entry(entry, held: dict[str, list], rng: random.Random):
    what = rng.randrange(6)
    if what == 0:
        return dataclasses.replace(entry, host=rng.choice(SPOILS["host"]))
    if what == 1 and entry.interfaces:
        interfaces = dict(entry.interfaces)
        interfaces.pop(rng.choice(sorted(interfaces)))
        return dataclasses.replace(entry, interfaces=freeze(interfaces))
    if what == 2 and entry.interfaces:  # one left over: a network the VM left
        copy = next(iter(entry.interfaces.values()))
        interfaces = freeze({**entry.interfaces, "wan": copy})
        return dataclasses.replace(entry, interfaces=interfaces)
    if what == 3 or not entry.interfaces:
        name = rng.choice(["machine_id", "vsock_cid"])
        return dataclasses.replace(entry, **{name: spoil(entry, name, held, rng)})
    network = rng.choice(sorted(entry.interfaces))
    name = rng.choice(["mac", "ipv4", "ipv6", "id"])
    interface = entry.interfaces[network]
    interface = dataclasses.replace(
        interface, **{name: spoil(interface, name, held, rng)}
    )
    return dataclasses.replace(
        entry, interfaces=freeze({**entry.interfaces, network: interface})
    )


def spoil(node, name: str, held: dict[str, list], rng: random.Random):
    """Another value for `name`: one another entry holds (the same field),
    one of SPOILS, or the same number as a float."""
    now = getattr(node, name)
    if isinstance(now, int) and rng.random() < 0.3:
        return float(now)
    if held.get(name) and rng.random() < 0.5:
        return rng.choice(held[name])
    return rng.choice(SPOILS[name] if rng.random() < 0.8 else OTHER_SPOILS)


def entropy(size: int) -> bytes:
    return b"\x01" * size


def a_case(seed: int):
    """(fleet, lock) as allocation gets them: the fleet loaded and checked,
    the lock its own (spoilt or not), with a fleet changed or not since."""
    rng = random.Random(seed)
    text = fleet_text(rng)
    first = compile(Source("fleet.toml", text), PLACE, entropy=entropy)
    if first.lock_text is None:
        return None
    lock, problems = parse_lock(Source("fleet.lock", first.lock_text))
    assert not problems
    fleet, problems = frontend.load(
        Source("fleet.toml", changed_fleet(text, rng)), None
    )
    if fleet is None:
        return None
    return fleet, spoilt(lock, rng) if rng.random() < 0.6 else lock


def outcome(allocated) -> tuple:
    fleet, lock, diagnostics = allocated
    # A lock refused in part is never written (so never rendered).
    text = None if has_errors(diagnostics) else render_lock(lock, "fleet.toml")
    # repr: a locked 10.0 equals 10, but is not what fleetc writes; each
    # entry's interfaces in order of network (the pipeline reads the new lock
    # only through render, retire and lock_changes, which sort them)
    entries = [
        (
            repr(dataclasses.replace(entry, interfaces={})),
            sorted(entry.interfaces.items()),
        )
        for _, entry in sorted(lock.vms.items())
    ]
    return every_field(fleet.vms), entries, text, [render_text(d) for d in diagnostics]


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 2**32))
def test_an_unchanged_fleet_is_allocated_as_claiming_each_value_would(seed):
    case = a_case(seed)
    if case is None:
        return
    fleet, lock = case
    assert outcome(allocate(fleet, lock, entropy)) == outcome(
        claimed(fleet, lock, entropy)
    )


def test_the_comparison_decides_both_ways():
    """The random cases above take the fast path and leave it, and the plain
    path they then take reports refusals (F803): the property is not vacuous."""
    taken, codes = 0, set()
    for seed in range(400):
        case = a_case(seed)
        if case is None:
            continue
        fleet, lock = case
        taken += as_locked(fleet, lock) is not None
        codes.update(d.code for d in claimed(fleet, lock, entropy)[2])
    assert 80 < taken < 350
    assert "F803" in codes


def test_a_lock_holding_a_value_twice_is_refused_where_it_stands():
    """Two VMs locked with one address: never accepted as unchanged, and F803
    points at the second one's line in fleet.lock."""
    text = fleet_text(random.Random(1)) + (
        '\n[vms.a]\nhost = "h1"\ninterfaces = [{ network = "lan" }]\n'
        '\n[vms.b]\nhost = "h1"\ninterfaces = [{ network = "lan" }]\n'
    )
    source = Source("fleet.toml", text)
    lock_text = compile(source, PLACE, entropy=entropy).lock_text
    address = re.search(
        r'\[vms\.a\.interfaces\.lan\]\n(?:.*\n)*?ipv4 = (".*")', lock_text
    )
    doubled = re.sub(
        r'(\[vms\.b\.interfaces\.lan\]\n(?:.*\n)*?ipv4 = )".*"',
        rf"\g<1>{address[1]}",
        lock_text,
    )
    edited = doubled[: doubled.rindex("# sha256: ")] + "# sha256: edited\n"
    result = compile(source, PLACE, None, Source("fleet.lock", edited), entropy=entropy)
    shown = [render_text(d) for d in result.diagnostics if d.code == "F802"]
    assert (
        len(shown) == 1 and "duplicate ipv4" in shown[0] and "fleet.lock:" in shown[0]
    )


def test_an_unchanged_bench_like_fleet_takes_the_fast_path():
    text = fleet_text(random.Random(3))
    text = re.sub(
        r"interfaces = \[.*\]\n(?:[a-z_]+ = .*\n)*",
        'interfaces = [{ network = "lan" }]\n',
        text,
    )
    first = compile(Source("fleet.toml", text), PLACE, entropy=entropy)
    lock, _ = parse_lock(Source("fleet.lock", first.lock_text))
    fleet, _ = frontend.load(Source("fleet.toml", text), None)
    fast = as_locked(fleet, lock)
    assert fast is not None and fast[1] == lock


# -- the checksum line -------------------------------------------------------

lines = st.sampled_from(
    [
        "",
        "x",
        "version = 2",
        "# sha256: edited",
        "# sha256: " + "a" * 64,
        "# sha256: " + "A" * 64,
        " # sha256: edited",
        "# sha256: edited ",
        "# sha256: " + "0" * 63,
    ]
)


@given(st.lists(lines, max_size=5), st.sampled_from(["", "\n", "\n\n", "\r\n"]))
def test_the_checksum_line_is_found_as_a_search_finds_it(parts, end):
    text = "\n".join(parts) + end
    plain = seal._SEAL.search(text)
    fast = seal.seal_line(text)
    assert (plain and (plain.span(), plain.group(1))) == (
        fast and (fast.span(), fast.group(1))
    )


# -- IPv4 addresses by arithmetic -----------------------------------------------


@given(st.integers(0, 2**32 - 1))
def test_ipv4_addresses_by_arithmetic_are_ipaddress_s(value):
    text = str(ipaddress.IPv4Address(value))
    assert addresses._ipv4_text(value) == text
    assert addresses.ipv4_int(text) == value
    assert list(locked_values._ipv4_ints([text, text])) == [value, value]
    pools = addresses.Addresses(
        frontend.load(Source("f.toml", fleet_text(random.Random(0))), None)[0]
    )
    assert pools.parse(("lan", 4), text) == value
    assert (
        pools.parse(("lan", 4), "0" + text) is None
    )  # not canonical: ipaddress refuses it too


def two_vms(b_interface: str, b_vm: str) -> str:
    return (
        '[fleet]\nname = "t"\n' + NETWORKS + '\n[hosts.h0]\nuplink = "eno1"\n'
        '\n[vms.a]\nhost = "h0"\ninterfaces = [{ network = "lan" }]\n'
        f'\n[vms.b]\nhost = "h0"\ninterfaces = [{{ network = "lan"{b_interface} }}]\n'
        + b_vm
    )


@pytest.mark.parametrize(
    "b_interface, b_vm, vm, field, network, value",
    [
        # a's locked address is the one b writes: a's claim is refused (F803)
        (', ipv4 = "10.0.0.71"', "", "a", "ipv4", "lan", "10.0.0.71"),
        # a's locked address is the gateway, or reserved: refused
        ("", "", "a", "ipv4", "lan", "10.0.0.1"),
        ("", "", "a", "ipv4", "lan", "10.0.0.150"),
        # b's tap is the bridge's name
        ("", "", "b", "id", "lan", "br0"),
        # the CID b writes, locked as a float: fleetc writes the integer
        ("", "vsock_cid = 10\n", "b", "vsock_cid", None, 10.0),
    ],
)
def test_a_lock_the_comparison_must_not_accept(
    b_interface, b_vm, vm, field, network, value
):
    text = two_vms(b_interface, b_vm)
    fleet, problems = frontend.load(Source("fleet.toml", text), None)
    assert fleet is not None and not has_errors(problems), problems
    lock = claimed(fleet, Lock(), entropy)[1]
    entry = lock.vms[vm]
    if network is None:
        entry = dataclasses.replace(entry, **{field: value})
    else:
        interface = dataclasses.replace(entry.interfaces[network], **{field: value})
        entry = dataclasses.replace(entry, interfaces=freeze({network: interface}))
    spoilt_lock = Lock(freeze({**lock.vms, vm: entry}))
    assert as_locked(fleet, lock) is not None  # as fleetc wrote it: accepted
    assert as_locked(fleet, spoilt_lock) is None
    assert outcome(allocate(fleet, spoilt_lock, entropy)) == outcome(
        claimed(fleet, spoilt_lock, entropy)
    )


# -- the lock rendered: each table's name quoted once ---------------------------


def plain_render_vm(name, vm):
    """lockfile._render_vm before: every part of every table's path quoted."""

    def table(path, node, keys):
        lines = [f"\n[{'.'.join(lockfile._key(part) for part in path)}]\n"]
        for key in keys:
            value = getattr(node, key)
            if value is not None:
                lines.append(f"{key} = {lockfile._value(value)}\n")
        return "".join(lines)

    yield table(("vms", name), vm, lockfile.VM_KEYS)
    for network in sorted(vm.interfaces):
        path = ("vms", name, "interfaces", network)
        yield table(path, vm.interfaces[network], lockfile.INTERFACE_KEYS)


names = st.text(st.sampled_from('ab-_.9 "\\\n\x7fé'), min_size=1, max_size=6)
interfaces = st.builds(
    LockedInterface,
    mac=st.none() | names,
    ipv4=st.none() | names,
    ipv6=st.none(),
    id=st.none() | names,
)
vms = st.builds(
    LockedVm,
    host=st.none() | names,
    machine_id=st.none() | names,
    vsock_cid=st.none() | st.integers(3, 99),
    interfaces=st.dictionaries(names, interfaces, max_size=3).map(freeze),
)


@given(names, vms)
def test_a_lock_entry_renders_as_it_did(name, vm):
    assert list(lockfile._render_vm(name, vm)) == list(plain_render_vm(name, vm))


def test_an_unchanged_entry_is_no_change():
    """lock_changes skips an entry both locks share; a changed one is said."""
    entry = LockedVm(host="h0", machine_id="a" * 32)
    old = Lock(freeze({"a": entry, "b": entry}))
    new = Lock(freeze({"a": entry, "b": dataclasses.replace(entry, host="h1")}))
    assert lock_changes(old, new) == ["b: host h1 (was h0)"]


# -- a lock table's spans made when read ----------------------------------------


def test_a_lock_entry_s_spans_are_those_of_its_values():
    """Each value's span (TableSpans, made when read) is where the value
    stands, as the plain SpanMap of deferred spans had it; a field without a
    value falls back to the table's span."""
    text = fleet_text(random.Random(5))
    lock_text = compile(Source("fleet.toml", text), PLACE, entropy=entropy).lock_text
    lock, _ = parse_lock(Source("fleet.lock", lock_text))
    checked = 0
    for name, entry in lock.vms.items():
        for node in (entry, *entry.interfaces.values()):
            for field in lockfile.VM_KEYS + lockfile.INTERFACE_KEYS:
                value = getattr(node, field, None)
                span = node.at(field)
                if value is None:
                    assert span is node.span
                    continue
                written = lock_text[span.start : span.end]
                assert written == lockfile._value(value), (name, field)
                checked += 1
        assert dict(entry.spans).keys() == {
            f for f in lockfile.VM_KEYS if getattr(entry, f) is not None
        }
    assert checked > 10


# -- locked values judged a field at a time (allocate/locked_values.py) ----------


def plain_judge(kind, scopes, values) -> bool:
    """What settle asks of each locked value, one by one (as_locked before)."""
    for scope, value in zip(scopes, values, strict=True):
        key = kind.parse(scope, value)
        if key is None or kind.unusable(scope, key) is not None:
            return False
        shown = kind.show(scope, key)
        if type(shown) is not type(value) or shown != value:
            return False
    return True


def judged_fleet():
    return frontend.load(Source("f.toml", fleet_text(random.Random(0))), None)[0]


LOCKED_VALUES = {
    "machine_id": ["f" * 32, "0" * 32, "A" * 32, "f" * 31, "a" * 32 + "\n", "0" * 31 + "1"],
    "mac": ["02:aa:00:00:00:01", "02:AA:00:00:00:01", "03:00:00:00:00:01", "x", "02:aa:00:00:00:0"],
    "id": ["vm-x", "eno1", "a b", "x" * 16, "", "a\nb", "é"],
    "ipv4": ["10.0.0.3", "10.0.0.1", "10.0.0.150", "10.0.0.99", "10.0.0.200", "10.0.0.0",
             "10.0.0.255", "10.0.0.254", "010.0.0.3", "10.1.0.7", "10.1.0.0", "10.1.0.6",
             "fd00::2", "10.0.0.3\n10.0.0.4"],
    "ipv6": ["fd00::2", "FD00::2", "fd00::", "fd01::1", "10.0.0.3", "fd00:0::3"],
    "vsock_cid": [3, 2, 4, 2**32 - 2, 2**32 - 1],
}  # fmt: skip
SCOPES = {
    "machine_id": ["fleet"],
    "mac": ["fleet"],
    "id": [("host", "h0"), ("vm", "v1")],
    "ipv4": [("lan", 4), ("dmz", 4)],
    "ipv6": [("lan", 6)],
    "vsock_cid": ["h0", "h1"],
}


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_locked_values_are_judged_together_as_one_by_one(data):
    """Each field's judgement of all its gathered values is settle's of each
    (parse, unusable, show), on values as written, odd and of other types.
    (A subclass of str, which the judgement refuses and settle may not, is
    not drawn: tomli never makes one.)"""
    from fleetc.allocate import locked_values
    from fleetc.allocate.as_locked import _Proof

    field = data.draw(st.sampled_from(sorted(LOCKED_VALUES)))
    value = st.sampled_from(LOCKED_VALUES[field]) | st.sampled_from(OTHER_SPOILS[1:])
    values = data.draw(st.lists(value, min_size=1, max_size=6))
    scopes = data.draw(
        st.lists(
            st.sampled_from(SCOPES[field]), min_size=len(values), max_size=len(values)
        )
    )
    proof = _Proof(judged_fleet())
    judged = locked_values.JUDGES[field](scopes, values, proof.addresses)
    assert judged == plain_judge(proof.kinds[field], scopes, values)


@given(st.lists(st.integers(0x0A000000 - 3, 0x0A000100 + 3), min_size=1, max_size=8))
def test_a_pool_s_addresses_are_usable_together_as_one_by_one(values):
    pool = addresses.Addresses(judged_fleet()).pools[("lan", 4)]
    plain = all(pool.unusable(value) is None for value in values)
    assert pool.all_usable(sorted(values)) == plain


# -- the lock rendered: names and values as they are, checked after ---------------

values = st.none() | names | st.integers(-3, 99) | st.booleans() | st.just(5.0)
any_interfaces = st.builds(
    LockedInterface, mac=values, ipv4=values, ipv6=values, id=values
)
any_vms = st.builds(
    LockedVm,
    host=values,
    machine_id=values,
    vsock_cid=values,
    interfaces=st.dictionaries(names, any_interfaces, max_size=3).map(freeze),
)


def rendered(render, vms):
    """The text, or the type of what it raised (a float is no lock value)."""
    try:
        return render(vms)
    except TypeError as problem:
        return type(problem)


def plain_render_vms(vms):
    return "".join(p for name in sorted(vms) for p in plain_render_vm(name, vms[name]))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(names | st.sampled_from(["a", "b-1", "c_2"]), any_vms, max_size=4)
)
def test_the_lock_s_tables_render_as_table_by_table(vms):
    assert rendered(lockfile._render_vms, vms) == rendered(plain_render_vms, vms)


def test_a_lock_fleetc_writes_takes_the_unquoted_path():
    """Not vacuous: the bench's kind of lock is written as it is."""
    lock_text = compile(
        Source("fleet.toml", fleet_text(random.Random(6))), PLACE, entropy=entropy
    ).lock_text
    vms = parse_lock(Source("fleet.lock", lock_text))[0].vms
    text, names, strings, cids = lockfile._unquoted(vms)
    assert lockfile._bare(names) and lockfile._plain(strings) and strings
    assert lockfile._render_vms(vms) == text == plain_render_vms(vms)
