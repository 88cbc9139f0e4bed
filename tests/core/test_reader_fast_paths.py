"""The TOML frontend's and fleet.lock's reading fast paths (issue 24, second
pass) against the plain code they replaced, on random input: the same model
(every field, spans located), the same lock and the same diagnostics.

- model.made builds a node as its frozen __init__ would;
- the reader keeps a known table's plain scalars without the converters'
  calls, and a value's span is made when it is read (SpanMap.lazy);
- fleet.lock's values that their CLEAN pattern matches skip the validators.
"""

from __future__ import annotations

import dataclasses
import random

import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetc.core import model
from fleetc.core.diagnostics import render_text
from fleetc.core import toml_text
from fleetc.core.source import Source, SpanMap
from fleetc.frontend import load
from fleetc.frontend.document import read_document
from fleetc.frontend.reader import Fields, Reader, _DROP, written_fields
from fleetc.frontend.tomlspans import index_spans
from fleetc.lock import fast_read, lockfile, seal
from fleetc.lock.entries import Lock, LockedInterface, LockedVm, Retired, freeze
from fleetc.lock.retired import read_retired
from fleetc.lock.values import CLEAN, VALIDATORS

from tests.core.test_fast_paths import every_field
from tests.support.fuzz_mutate import make_input

# -- model.made ------------------------------------------------------------------

CLASSES = [
    c for c in vars(model).values() if isinstance(c, type) and issubclass(c, model.Node)
] + [LockedVm, LockedInterface, Retired]
VALUES = st.sampled_from([None, False, True, 0, 7, "x", (), ("a",), model.Pairs()])


def every_attribute(node) -> list:
    return [(f.name, getattr(node, f.name)) for f in dataclasses.fields(node)]


def built(make):
    try:
        return every_attribute(make()), None
    except TypeError as problem:
        return None, type(problem)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CLASSES), st.data())
def test_made_builds_what_init_builds(cls, data):
    """Any subset of the fields (required ones left out too), a name that is
    no field, a name given twice: the same node, or __init__'s TypeError."""
    names = [f.name for f in dataclasses.fields(cls)] + ["nonsense"]
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True))
    values = {name: data.draw(VALUES) for name in chosen}
    split = data.draw(st.integers(0, len(chosen)))
    more = {name: values.pop(name) for name in chosen[split:]}
    if chosen and data.draw(st.booleans()):
        more[chosen[0]] = values.get(chosen[0], 1)  # perhaps given twice
    fast = built(lambda: model.made(cls, values, more))
    assert fast == built(lambda: cls(**values, **more))
    if fast[0] is not None:
        node = model.made(cls, values, more)
        assert node == cls(**values, **more) and type(node) is cls


# -- the reader -------------------------------------------------------------------


class PlainReader(Reader):
    """frontend/reader.py before the fast path: every key through read_key,
    a Span made for each value, nodes built by their __init__."""

    def fields(self, raw, section, path):
        found = Fields()
        for key, value in self.known(raw, section, path):
            self.read_key(key, value, path + (key.name,), found, table=path)
        return found

    def read_key(self, key, value, path, into, table=None):
        if table is None:
            spans = {key.field: self.locate.value(path)}
        else:
            spans = {key.field: self.locate.value_in(table, key.name)}
        converted = self._convert(key, value, path, spans)
        if converted is _DROP:
            into.rejected.add(key.field)
        else:
            into.put(key.field, converted, spans)

    def build(self, section, found, path, **extra):
        node = super().build(section, found, path, **extra)
        if node is None:
            return None
        values = {f.name: getattr(node, f.name) for f in dataclasses.fields(node)}
        values["spans"] = SpanMap(dict(node.spans.items()))  # each made now
        return type(node)(**values)


def plain_load(source: Source):
    try:
        data = tomli.loads(source.text)
    except (tomli.TOMLDecodeError, ValueError, RecursionError):
        return None
    locate = index_spans(source)
    return read_document(data, locate, source.name, PlainReader(locate))


def both(text: str):
    source = Source("fleet.toml", text)  # spans of one source compare equal
    plain = plain_load(source)
    if plain is None:
        return None
    fast = load(source)
    return [
        (every_field(fleet), [render_text(d) for d in diagnostics])
        for fleet, diagnostics in (fast, plain)
    ]


def test_mutated_fleets_read_as_the_plain_reader_reads_them():
    """Mutated samples (tests/support/fuzz_mutate.py): wrong types, unknown
    keys, NULs, values out of range, tables left out, [defaults.vm]."""
    compared = 0
    for index in range(300):
        outcome = both(make_input(24, "toml", index))
        if outcome is not None:
            fast, plain = outcome
            assert fast == plain, index
            compared += 1
    assert compared > 100


SCALARS = st.one_of(
    st.sampled_from(["lan", "a\0b", "", "bridge", "routed", "flake", "9p"]),
    st.sampled_from([0, 1, -1, 2**63, -(2**63) - 1, 2**63 - 1, True, False]),
    st.sampled_from([1.5, [], ["x"], {}, {"a": 1}]),
)
VM_KEYS = ["host", "mem", "vcpu", "system", "machine_id", "declare", "vsock", "nope"]
INTERFACE_KEYS = ["network", "ipv4", "mac", "type", "vhost", "nope"]


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\0", "\\u0000") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def table(keys, data) -> str:
    chosen = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=4))
    return ", ".join(f"{key} = {toml_value(data.draw(SCALARS))}" for key in chosen)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_values_read_as_the_plain_reader_reads_them(data):
    parts = ['[fleet]\nname = "t"\n[networks.lan]\nbridge = "br0"\n[hosts.h]\n']
    if data.draw(st.booleans()):
        parts.append(f"[defaults.vm]\n{table(VM_KEYS, data).replace(', ', chr(10))}\n")
    for index in range(data.draw(st.integers(1, 3))):
        interfaces = ", ".join(
            "{" + table(INTERFACE_KEYS, data) + "}"
            for _ in range(data.draw(st.integers(0, 2)))
        )
        own = table(VM_KEYS, data).replace(", ", "\n")
        parts.append(f"[vms.v{index}]\n{own}\ninterfaces = [{interfaces}]\n")
    outcome = both("\n".join(parts))
    if outcome is not None:
        fast, plain = outcome
        assert fast == plain


def test_written_fields_are_the_own_table_s():
    fleet, _ = load(Source("fleet.toml", BENCH_LIKE))
    vm = fleet.vms[0]
    assert vm.written == written_fields({"host": 0, "mem": 0, "interfaces": 0})
    assert vm.at("mem").start == BENCH_LIKE.index("2048")


def test_a_value_written_twice_is_one_object():
    """What every pass over a large fleet reads (a network, a tag) is not
    one object per VM: each is a cache miss once the model is large."""
    text = BENCH_LIKE + '[vms.b]\nhost = "h"\ninterfaces = [{ network = "lan" }]\n'
    fleet, _ = load(Source("fleet.toml", text))
    first, second = fleet.vms
    assert first.host is second.host
    assert first.interfaces[0].network is second.interfaces[0].network


BENCH_LIKE = """\
[fleet]
name = "t"
[networks.lan]
ipv4 = "10.0.0.0/24"
bridge = "br0"
[hosts.h]
[vms.a]
host = "h"
mem = 2048
interfaces = [{ network = "lan" }]
"""

# -- fleet.lock -------------------------------------------------------------------

TEXT = st.text(alphabet="0123456789abcdefABCDEF:.-_ xz\0\n", max_size=40)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(sorted(CLEAN)), st.one_of(TEXT, st.sampled_from(["0" * 32])))
def test_a_value_a_clean_pattern_matches_is_one_its_validator_accepts(key, text):
    if CLEAN[key].fullmatch(text):
        assert VALIDATORS[key](text) is None


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(sorted(CLEAN)), st.data())
def test_every_string_a_clean_pattern_matches_is_valid(key, data):
    """Strings made to match (a pattern that lets one more through fails)."""
    text = data.draw(st.from_regex(CLEAN[key], fullmatch=True))
    assert VALIDATORS[key](text) is None, text


def test_clean_patterns_match_what_fleetc_writes():
    for key, text in [
        ("host", "h0"),
        ("machine_id", "87b28e5b4afbdc188b65074c74ae1cd4"),
        ("mac", "02:19:cc:52:2e:75"),
        ("ipv4", "10.0.0.2"),
        ("id", "vm-vm0x1"),
    ]:
        assert CLEAN[key].fullmatch(text), key


class PlainLockReader(lockfile._Reader):
    """lock/lockfile.py's reader before the fast paths: every value through
    its validator and `_unique`, entries built by their __init__, and never
    lock/fast_read.py's field-at-a-time judgement."""

    def lock(self, document):
        self._top_level(document)
        vms = self.entries(self.table(document, ("vms",)))
        return Lock(freeze(vms), freeze(read_retired(self, document)))

    def _vm(self, name, raw):
        path = ("vms", name)
        if not isinstance(raw, dict):
            self.bad(path, f"`{lockfile._dotted(path)}` must be a table")
            return None
        self.unknown(raw, lockfile.VM_KEYS + ("interfaces",), path)
        values = {key: self._field(path, raw, key) for key in lockfile.VM_KEYS}
        return LockedVm(
            **values,
            interfaces=self._interfaces(path + ("interfaces",), raw),
            span=self.spans.key(path),
            spans=self._plain_spans(path, values),
        )

    def _interface(self, path, raw):
        if not isinstance(raw, dict):
            self.bad(path, f"`{lockfile._dotted(path)}` must be a table")
            return None
        self.unknown(raw, lockfile.INTERFACE_KEYS, path)
        values = {key: self._field(path, raw, key) for key in lockfile.INTERFACE_KEYS}
        return LockedInterface(
            **values, span=self.spans.key(path), spans=self._plain_spans(path, values)
        )

    def _plain_spans(self, path, values):
        names = tuple(key for key in values if values[key] is not None)
        return lockfile.TableSpans(self.spans, path, names)


LOCK_FLEET = "\n".join(
    ['[fleet]\nname = "t"\n[networks.lan]\nipv4 = "10.0.0.0/24"\nbridge = "br0"']
    + ["[hosts.h0]\n[hosts.h1]"]
    + [
        f'[vms.v{h}x{v}]\nhost = "h{h}"\nvsock = true\n'
        'interfaces = [{ network = "lan" }]'
        for h in range(2)
        for v in range(3)
    ]
)
LOCK_SPOILS = [
    '"10.0.0.2"',
    '"10.0.0.300"',
    '"02:00:00:00:00:01"',
    '"03:00:00:00:00:01"',
    '"02:AA:00:00:00:01"',
    '"' + "0" * 32 + '"',
    '"' + "f" * 32 + '"',
    '"vm-v0x0"',
    '"a b"',
    '"' + "x" * 16 + '"',
    '"h1"',
    '"-bad"',
    "2",
    "3",
    "true",
    "5.0",
    '"fd00::2"',
]


def a_lock(seed: int) -> str:
    """The fleet's own lock with some values replaced by spoils or by another
    line's value (a duplicate), resealed so that every value is read."""
    rng = random.Random(seed)
    text = compile_lock(seed)
    lines = text.splitlines(keepends=True)[:-1]  # without the checksum line
    pairs = [
        i for i, line in enumerate(lines) if " = " in line and "version" not in line
    ]
    for index in rng.sample(pairs, rng.randrange(0, 4)):
        key = lines[index].split(" = ")[0]
        value = rng.choice(
            LOCK_SPOILS + [lines[rng.choice(pairs)].split(" = ", 1)[1].strip()]
        )
        lines[index] = f"{key} = {value}\n"
    return seal.seal("".join(lines))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32))
def test_a_spoilt_lock_reads_as_the_plain_reader_reads_it(seed):
    assert_read_alike(a_lock(seed))


def assert_read_alike(text: str) -> bool:
    """parse_lock (with its fast paths) and the plain reader give the same
    lock, spans and diagnostics; True when fast_read.py read the entries."""
    source = Source("fleet.lock", text)
    fast, fast_problems = lockfile.parse_lock(source)
    reader = PlainLockReader(index_spans(source), lockfile.VERSION)
    try:
        document = tomli.loads(text)
    except tomli.TOMLDecodeError:
        assert not fast.vms and fast_problems
        return False
    plain = reader.lock(document)
    assert [render_text(d) for d in fast_problems] == [
        render_text(d) for d in reader.diagnostics
    ]
    assert list(fast.vms) == list(plain.vms)
    for name, entry in fast.vms.items():
        other = plain.vms[name]
        assert every_attribute(entry) == every_attribute(other)
        assert dict(entry.spans) == dict(other.spans)
        assert list(entry.spans) == list(other.spans)
        assert list(entry.interfaces) == list(other.interfaces)
        assert every_field(tuple(entry.interfaces.values())) == every_field(
            tuple(other.interfaces.values())
        )
    assert fast.retired == plain.retired
    vms = document.get("vms", {})
    return type(vms) is dict and fast_read.entries(reader.spans, vms) is not None


# Random locks, whole: names, shapes and values fleetc writes, and what it
# never does (unknown keys, tables that are not, values of other types or
# out of range, names that are not, a value twice in its scope).
GOOD = {
    "host": ["h0", "h1", "a-b"],
    "machine_id": ["87b28e5b4afbdc188b65074c74ae1cd4", "f" * 32, "0" * 31 + "1"],
    "vsock_cid": [3, 4, 2**32 - 2],
    "id": ["vm-a", "vm-b", "x" * 15, "a.b", "..."],
    "ipv4": ["10.0.0.2", "10.0.0.3", "10.0.1.255", "0.0.0.0"],
    "ipv6": ["fd00::2", "fd00::3", "::1"],
    "mac": ["02:00:00:00:00:01", "02:00:00:00:00:02", "fe:ff:ff:ff:ff:ff"],
}
SPOILT = [
    "",
    "0" * 32,
    "F" * 32,
    "03:00:00:00:00:01",
    "02:AA:00:00:00:01",
    "10.0.0.300",
    "010.0.0.2",
    "10.0.0.2\n10.0.0.3",
    "fd00:0::2",
    "FD00::2",
    ".",
    "..",
    "x" * 16,
    "a b",
    "-bad",
    "h0\n",
    "\0",
    "é",
    0,
    2,
    2**32 - 1,
    -3,
    True,
    1.5,
    [],
    ["a"],
    {},
    {"x": 1},
]
NAMES = ["v0", "v1", "web", "db-1", "lan", "wan", "-x", "a.b", "a b", "x" * 64, ""]
SPOIL = st.sampled_from(SPOILT)


def a_value(key):
    return st.one_of(st.sampled_from(GOOD[key]), st.sampled_from(GOOD[key]), SPOIL)


def a_table(keys, extra):
    """Some of `keys` (or an unknown one), each with a value."""
    chosen = st.lists(st.sampled_from(keys + ("bogus",)), unique=True, max_size=5)
    return chosen.flatmap(
        lambda names: st.fixed_dictionaries(
            {k: extra[k] if k in extra else a_value(k) for k in names if k != "bogus"}
            | ({"bogus": SPOIL} if "bogus" in names else {})
        )
    )


INTERFACE_TABLE = st.one_of(a_table(lockfile.INTERFACE_KEYS, {}), SPOIL)
INTERFACES = st.one_of(
    st.dictionaries(st.sampled_from(NAMES), INTERFACE_TABLE, max_size=3), SPOIL
)
VM_TABLE = st.one_of(
    a_table(lockfile.VM_KEYS + ("interfaces",), {"interfaces": INTERFACES}), SPOIL
)
RETIRED = st.fixed_dictionaries(
    {"v9": st.fixed_dictionaries({"h0": st.fixed_dictionaries({"machine_id": SPOIL})})}
)


@st.composite
def a_random_lock(draw) -> str:
    clean = draw(st.booleans())  # half: only what fleetc writes
    good = st.sampled_from
    vm = (
        st.fixed_dictionaries(
            {k: good(GOOD[k]) for k in ("host", "machine_id")},
            optional={
                "vsock_cid": good(GOOD["vsock_cid"]),
                "interfaces": st.dictionaries(
                    good(["lan", "wan", "l-2"]),
                    st.fixed_dictionaries(
                        {k: good(GOOD[k]) for k in ("id", "ipv4", "mac")},
                        optional={"ipv6": good(GOOD["ipv6"])},
                    ),
                    max_size=2,
                ),
            },
        )
        if clean
        else VM_TABLE
    )
    names = good(NAMES[:4]) if clean else good(NAMES)
    document = {"version": 2, "vms": draw(st.dictionaries(names, vm, max_size=5))}
    if draw(st.booleans()):
        document["retired"] = draw(RETIRED)
    return seal.seal(toml_document(document))


def toml_document(document: dict, path: tuple = ()) -> str:
    """`document` as TOML: its scalars, then a header for each table in it."""
    lines = [f"[{'.'.join(map(toml_text.key, path))}]"] if path else []
    tables = {k: v for k, v in document.items() if type(v) is dict and v}
    for k, v in document.items():
        if k not in tables:
            lines.append(f"{toml_text.key(k)} = {lock_value(v)}")
    text = "\n".join(lines) + "\n"
    return text + "".join(toml_document(v, path + (k,)) for k, v in tables.items())


def lock_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(lock_value, value)) + "]"
    if isinstance(value, dict):
        pairs = (f"{toml_text.key(k)} = {lock_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return toml_text.string(value)


@settings(max_examples=1500, deadline=None)
@given(a_random_lock())
def test_a_random_lock_reads_as_the_plain_reader_reads_it(text):
    assert_read_alike(text)


def test_a_lock_fleetc_writes_is_read_a_field_at_a_time():
    """The fast path is taken (so that the tests above test it), at any
    size; and a clean random lock mostly takes it too."""
    for seed in range(3):
        text = compile_lock(seed)
        assert assert_read_alike(text)
    assert assert_read_alike(seal.seal("version = 2\n"))


def compile_lock(seed: int) -> str:
    from fleetc.core.pipeline import compile
    from fleetc.core.placement import Placement
    from pathlib import PurePosixPath

    rng = random.Random(seed)
    place = Placement(PurePosixPath("/fleet"))
    text = compile(
        Source("fleet.toml", LOCK_FLEET), place, entropy=rng.randbytes
    ).lock_text
    assert text is not None
    return text


JOINABLE = st.lists(
    st.one_of(TEXT, st.sampled_from(["0" * 32, "..", ".", "h0\n", "\n"])), max_size=6
)


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(sorted(CLEAN)), st.data())
def test_a_joined_pattern_matches_as_each_value_alone(key, data):
    """fast_read.py's patterns over values joined by newlines accept a list
    exactly when CLEAN's pattern matches each value whole."""
    made = st.lists(st.from_regex(CLEAN[key], fullmatch=True), max_size=6)
    values = data.draw(st.one_of(JOINABLE, made, made.map(lambda v: v + ["x\n"])))
    each = all(CLEAN[key].fullmatch(value) for value in values)
    assert fast_read._clean(key, values) == each, values


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(["VM", "network"]), st.data())
def test_a_joined_name_pattern_matches_as_each_name_alone(kind, data):
    pattern = lockfile.NAME_PATTERNS[kind]
    made = st.lists(st.from_regex(pattern, fullmatch=True), max_size=6)
    names = data.draw(st.one_of(st.lists(st.sampled_from(NAMES + ["a\nb"])), made))
    each = all(pattern.fullmatch(name) for name in names)
    assert fast_read._named(names, kind) == each, names
