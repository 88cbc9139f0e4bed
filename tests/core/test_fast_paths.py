"""Each fast path (issue 11) against the straightforward code it replaced, on
random fleets: the same diagnostics, at the same places, and the same outputs.

- checks/ifnames.py reads a name's offset only once it has something to report
  (reading one makes the TOML frontend scan the whole text);
- `fleetc check` without a twin compiles without emitting files;
- F162's lookalikes are found by (host, networks), not by scanning the fleet
  for each lock entry (quadratic: 6 s of a 10,000-VM check);
- a value's span shares its table's key path (tomlspans.SpanIndex.value_in)
  instead of holding a path of its own;
- a node's spans are a SpanMap (names indexed once for nodes written alike),
  not a dict per node.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath

import tomli as tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetc import frontend
from fleetc.allocate import renames
from fleetc.checks import ifnames
from fleetc.emit import tmpfiles
from fleetc.frontend import tomlspans
from fleetc.frontend.document import read_document
from fleetc.core.diagnostics import render_text
from fleetc.lock.lockfile import Lock, LockedInterface, LockedVm, freeze, parse_lock
from fleetc.core.model import Fleet, Interface, Vm
from fleetc.core.pipeline import compile
from fleetc.core.placement import Placement
from fleetc.core.source import Source, Span, SpanMap

from tests.frontend.test_dsl_scan import shape
from tests.support.fuzz_mutate import make_input
from tests.support.paths import CASES, SAMPLES

# Names that are fine, too long (16+ bytes) or illegal, shared between kinds.
NAMES = ["br0", "eno1", "lan", "br-0123456789abc", "enp0s31f6abcde", "br lan", "a:b"]


def plain_interface_names(fleet):
    """checks/ifnames.py's check_interface_names before the fast path."""
    seen = set()
    items = [
        *ifnames.host_names(fleet),
        *ifnames.written_bridges(fleet),
        *ifnames.macvtap_links(fleet),
    ]
    for item in items:
        where = (item.name, item.span.start if item.span else None)
        if where not in seen:
            seen.add(where)
            yield from ifnames._name(item)


def shown(diagnostics) -> list[str]:
    return [render_text(d) for d in diagnostics]


network = st.tuples(st.sampled_from([None, *NAMES]), st.sampled_from([None, 7, 4000]))
host = st.tuples(
    st.sampled_from([None, *NAMES]), st.lists(st.integers(0, 2), max_size=3)
)


def fleet_text(networks, hosts) -> str:
    parts = ['[fleet]\nname = "t"\n']
    for index, (bridge, vlan) in enumerate(networks):
        parts.append(f'[networks.n{index}]\nipv4 = "10.{index}.0.0/24"\n')
        parts.append(f'bridge = "{bridge}"\n' if bridge else "")
        parts.append(f"vlan = {vlan}\n" if vlan else "")
    for index, (uplink, joins) in enumerate(hosts):
        joined = ", ".join(
            f'{{ network = "n{j}" }}' for j in sorted(set(joins)) if j < len(networks)
        )
        parts.append(f"[hosts.h{index}]\n")
        parts.append(f'uplink = "{uplink}"\n' if uplink else "")
        parts.append(f"interfaces = [{joined}]\n")
    return "\n".join(parts)


@settings(max_examples=150, deadline=None)
@given(st.lists(network, min_size=1, max_size=3), st.lists(host, max_size=4))
def test_interface_names_match_the_plain_check(networks, hosts):
    text = fleet_text(networks, hosts)
    fleet, _ = frontend.load(Source("fleet.toml", text))
    if fleet is None:
        return
    fast = shown(ifnames.check_interface_names(fleet))
    # A fresh load: the plain check must not see offsets the fast one read.
    fleet, _ = frontend.load(Source("fleet.toml", text))
    assert fast == shown(plain_interface_names(fleet))


def test_random_fleets_reach_interface_name_errors():
    """The generator above makes fleets with reported names, one written name
    reached twice (a bridge on two hosts: reported once) among them."""
    text = fleet_text([("br lan", None)], [("enp0s31f6abcde", [0]), (None, [0])])
    fleet, _ = frontend.load(Source("fleet.toml", text))
    codes = [d.code for d in ifnames.check_interface_names(fleet)]
    assert codes == ["F406"]


PLACE = Placement(PurePosixPath("/fleet"))


def test_compiling_without_files_reports_the_same():
    """On mutated samples (tests/support/fuzz_mutate.py): the same diagnostics, fleet
    and lock with and without emitting; only `files` is left empty."""
    accepted = 0
    for index in range(150):
        for frontend_name, name in (("toml", "fleet.toml"), ("fleet", "fleet.fleet")):
            source = Source(name, make_input(11, frontend_name, index))
            full = compile(source, PLACE, entropy=lambda n: b"\x01" * n)
            lean = compile(
                source, PLACE, entropy=lambda n: b"\x01" * n, emit_files=False
            )
            assert shown(lean.diagnostics) == shown(full.diagnostics)
            assert (lean.lock_text, lean.lock_changes) == (
                full.lock_text,
                full.lock_changes,
            )
            assert lean.fleet == full.fleet and lean.output_dir == full.output_dir
            assert lean.files == {}
            accepted += bool(full.files)
    assert accepted > 30


def plain_argument(text: str) -> str:
    """emit/tmpfiles.py's argument() before the fast path: every character."""
    text = text.replace("%", "%%")
    return "".join(
        tmpfiles._ARGUMENT_ESCAPES.get(c, tmpfiles._control(c)) for c in text
    )


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        st.sampled_from(
            ["a", "/", " ", "%", '"', "\\", "\n", "\t", "\x01", "\x7f", "é"]
        )
    )
)
def test_tmpfiles_argument_matches_the_plain_one(text):
    assert tmpfiles.argument(text) == plain_argument(text)


# -- twin_check: compare the twins' models before their trees -----------------


def twins_of_samples():
    return sorted(d for d in SAMPLES.iterdir() if (d / "fleet.fleet").exists())


def twin_variants(sample):
    """The sample's twin as written, and with one VM's memory changed (a twin
    that describes another fleet)."""
    text = (sample / "fleet.fleet").read_text()
    changed = text.replace("mem ", "mem 1", 1)
    return [text] + ([changed] if changed != text else [])


def test_twin_shortcuts_agree_with_comparing_the_trees():
    """same_model and same_allocation say "agree" only when the full compile
    of the twin gives the same files and lock (the straightforward check)."""
    from fleetc.review.twin_check import compile_twin, same_allocation, same_model

    checked = 0
    for sample in twins_of_samples():
        place = Placement(PurePosixPath(str(sample)))
        lock = Source("fleet.lock", (sample / "fleet.lock").read_text())
        toml = Source("fleet.toml", (sample / "fleet.toml").read_text())
        mine = compile(toml, place, None, lock)
        for text in twin_variants(sample):
            twin = Source("fleet.fleet", text)
            fleet_file = sample / "fleet.toml"
            full = compile_twin(fleet_file, twin, mine, place)
            agree = full.ok and (full.files, full.lock_text) == (
                mine.files,
                mine.lock_text,
            )
            bare = compile_twin(fleet_file, twin, mine, place, emit_files=False)
            fast = same_model(twin, mine) or (bare.ok and same_allocation(mine, bare))
            assert fast == agree, (sample.name, text == twin_variants(sample)[0])
            checked += 1
    assert checked > len(twins_of_samples())  # some changed twins were tried


# -- the DSL parser from its saved tables ---------------------------------------


def dsl_samples_and_cases():
    return sorted([*SAMPLES.glob("*/fleet.fleet"), *CASES.glob("*/fleet.fleet")])


def load_all(monkeypatch, saved):
    """Every .fleet sample read with the parser from `saved` (None: built)."""
    from fleetc.frontend.dsl import syntax as dsl_syntax

    grammar = (
        Path(dsl_syntax.__file__).parents[2] / "grammar" / "fleet.lark"
    ).read_text()
    made = (
        dsl_syntax.saved_parser(grammar, saved)
        if saved
        else dsl_syntax.built_parser(grammar)
    )
    assert made is not None
    monkeypatch.setattr(dsl_syntax, "parser", lambda: made)
    found = []
    for path in dsl_samples_and_cases():
        # lark's parse itself: frontend.load leaves well-formed text to dsl_scan
        statements, problem = dsl_syntax.parse(Source(path.name, path.read_text()))
        found.append((shape(statements), problem and render_text(problem)))
    return found


def test_the_saved_parser_reads_every_sample_as_the_built_one(monkeypatch):
    from fleetc.frontend.dsl import syntax as dsl_syntax

    grammar = (
        Path(dsl_syntax.__file__).parents[2] / "grammar" / "fleet.lark"
    ).read_text()
    saved = dsl_syntax.saved_bytes(grammar)
    assert load_all(monkeypatch, saved) == load_all(monkeypatch, None)
    assert len(dsl_samples_and_cases()) >= 10


def test_the_shipped_tables_are_for_this_grammar():
    """`make goldens` rewrites them; a grammar edit without it would silently
    build the parser on every run (correct, but slow)."""
    import pickle

    from fleetc.frontend.dsl import syntax as dsl_syntax

    here = Path(dsl_syntax.__file__).parents[2] / "grammar"
    grammar = (here / "fleet.lark").read_text()
    shipped = pickle.loads((here / dsl_syntax.SAVED).read_bytes())
    assert shipped["key"].split(", ")[1] == dsl_syntax.saved_key(grammar).split(", ")[1]


def test_tables_for_another_grammar_or_garbage_are_not_used():
    from fleetc.frontend.dsl import syntax as dsl_syntax

    grammar = (
        Path(dsl_syntax.__file__).parents[2] / "grammar" / "fleet.lark"
    ).read_text()
    other = dsl_syntax.saved_bytes(grammar.replace("\n", "\n\n", 1))
    assert dsl_syntax.saved_parser(grammar, other) is None
    assert dsl_syntax.saved_parser(grammar, b"not a pickle") is None
    assert dsl_syntax.saved_parser(grammar, dsl_syntax.saved_bytes(grammar)) is not None


# -- F162 lookalikes: one lookup per VM instead of a scan of the fleet --------


def plain_lookalikes(fleet, lock):
    """allocate/renames.py's lookalikes before the fast path."""
    gone = {
        n: e
        for n, e in lock.vms.items()
        if next((vm for vm in fleet.vms if vm.name == n), None) is None
    }
    renamed = {vm.renamed_from for vm in fleet.vms}
    found = []
    for vm in fleet.vms:
        if vm.name in lock.vms or vm.renamed_from is not None:
            continue
        for old in sorted(set(gone) - renamed):
            networks = {interface.network for interface in vm.interfaces}
            if gone[old].host == vm.host and networks == set(gone[old].interfaces):
                found.append(renames._lookalike(vm, old))
                break
    return found


VM_NAMES = [f"v{index}" for index in range(8)]
HOSTS = st.sampled_from(["h0", "h1"])
NETWORK_SETS = st.sets(st.sampled_from(["n0", "n1", "n2"]), max_size=2)


@st.composite
def fleets_and_locks(draw):
    names = draw(st.lists(st.sampled_from(VM_NAMES), unique=True, max_size=6))
    renamed = st.sampled_from([None, None, *VM_NAMES])
    vms = tuple(
        Vm(
            name=name,
            host=draw(HOSTS),
            system="x86_64-linux",
            interfaces=tuple(Interface(network=n) for n in sorted(draw(NETWORK_SETS))),
            renamed_from=draw(renamed),
        )
        for name in names
    )
    locked = draw(st.lists(st.sampled_from(VM_NAMES), unique=True, max_size=6))
    entries = {
        name: LockedVm(
            host=draw(HOSTS),
            interfaces=freeze({n: LockedInterface() for n in draw(NETWORK_SETS)}),
        )
        for name in locked
    }
    return Fleet(name="t", vms=vms), Lock(freeze(entries))


@settings(max_examples=400, deadline=None)
@given(fleets_and_locks())
def test_lookalikes_match_the_plain_scan(fleet_and_lock):
    fleet, lock = fleet_and_lock
    fast = renames.lookalikes(fleet, lock)
    assert shown(fast) == shown(plain_lookalikes(fleet, lock))


def test_random_fleets_reach_lookalikes():
    """The generator's fleets do find lookalikes: two gone VMs alike, the
    first by name is named."""
    vm = Vm(name="v1", host="h0", system="x86_64-linux")
    gone = LockedVm(host="h0")
    lock = Lock(freeze({"v5": gone, "v3": gone}))
    found = renames.lookalikes(Fleet(name="t", vms=(vm,)), lock)
    assert [d.code for d in found] == ["F162"] and "`v3`" in found[0].message


# -- spans that share their table's key path ----------------------------------


class PlainIndex(tomlspans.SpanIndex):
    """Every value's span with a key path of its own, as before value_in."""

    def __init__(self, source):
        super().__init__(source, *tomlspans._scan(source.text))

    def value_in(self, table, part):
        return self.value(table + (part,))


def spans_of(node, found=None) -> list:
    """(field, start, end) of every span in the model, depth first."""
    found = [] if found is None else found
    if isinstance(node, (tuple, list)):
        for item in node:
            spans_of(item, found)
    elif dataclasses.is_dataclass(node):
        found += [(name, s.start, s.end) for name, s in sorted(node.spans.items())]
        for field in dataclasses.fields(node):
            spans_of(getattr(node, field.name), found)
    return found


def toml_fleets():
    return sorted([*SAMPLES.glob("*/fleet.toml"), *CASES.glob("*/fleet.toml")])


def test_shared_key_spans_locate_as_plain_ones():
    """Every span of every TOML sample and case (and its lock) is where the
    plain index puts it."""
    compared = 0
    for path in toml_fleets():
        source = Source("fleet.toml", path.read_text())
        fleet, _ = frontend.load(source)
        if fleet is None:  # a case of invalid TOML
            continue
        data = tomllib.loads(source.text)
        plain, _ = read_document(data, PlainIndex(source), "fleet.toml")
        assert spans_of(fleet) == spans_of(plain), path
        compared += len(spans_of(fleet))
    assert compared > 1000


def test_lock_spans_locate_as_plain_ones():
    from fleetc.lock.lockfile import _Reader

    for path in toml_fleets():
        lock_file = path.with_name("fleet.lock")
        if not lock_file.exists():
            continue
        source = Source("fleet.lock", lock_file.read_text())
        lock, _ = parse_lock(source)
        plain = _Reader(PlainIndex(source)).lock(tomllib.loads(source.text))
        assert spans_of(list(lock.vms.values())) == spans_of(list(plain.vms.values()))


# -- a node's spans as a SpanMap (names shared, spans in a tuple) --------------

SPAN_NAMES = st.sampled_from(["host", "mem", "interfaces", "interfaces[0]", "a.b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(SPAN_NAMES, st.integers(0, 9)), max_size=6), SPAN_NAMES)
def test_span_map_reads_as_the_dict_it_replaces(pairs, asked):
    source = Source("fleet.toml", "x" * 10)
    plain = {name: Span(source, start, start + 1) for name, start in pairs}
    spans = SpanMap(plain)
    assert dict(spans) == plain and list(spans) == list(plain)
    assert len(spans) == len(plain) and (asked in spans) == (asked in plain)
    assert spans.get(asked) is plain.get(asked)
    assert spans.get(asked, "none") is plain.get(asked, "none")
    assert SpanMap(dict(reversed(list(plain.items())))) == plain


def test_nodes_written_alike_share_one_index_of_names():
    source = Source("fleet.toml", "xx")
    first = SpanMap({"host": Span(source, 0, 1), "mem": Span(source, 1, 2)})
    second = SpanMap({"host": Span(source, 1, 2), "mem": Span(source, 0, 1)})
    assert first._index is second._index and first["mem"].start == 1
    assert second["mem"].start == 0


def test_span_map_shares_only_so_many_indexes():
    source = Source("fleet.toml", "xx")
    maps = [
        SpanMap({f"meta[k{n}]": Span(source, 0, 1), "mem": Span(source, 1, 2)})
        for n in range(SpanMap.SHARED_INDEXES + 10)
    ]
    assert len(SpanMap._indexes) <= SpanMap.SHARED_INDEXES
    assert all(m["mem"].start == 1 and len(m) == 2 for m in maps)


# -- allocation: filled nodes copied, not rebuilt; holders named when read ------


def plain_with(node, changes):
    """allocate._with before the fast path: dataclasses.replace."""
    return dataclasses.replace(node, **changes)


def every_field(node) -> object:
    """A node's fields, compared ones or not (spans located), depth first."""
    if isinstance(node, (tuple, list)):
        return [every_field(item) for item in node]
    if not dataclasses.is_dataclass(node):
        return node
    spans = sorted((name, s.start, s.end) for name, s in node.spans.items())
    fields = [
        (f.name, every_field(getattr(node, f.name))) for f in dataclasses.fields(node)
    ]
    return (type(node).__name__, fields, spans, node.written)


def small_fleet(rng) -> str:
    """A fleet that writes nothing fleetc allocates (as the bench's), on two
    networks, some VMs with vsock."""
    parts = [
        '[fleet]\nname = "t"\ndomain = "t.example"\n',
        '[networks.lan]\nipv4 = "10.0.0.0/24"\nipv6 = "fd00::/64"\nbridge = "br0"\n',
        '[networks.dmz]\nipv4 = "10.1.0.0/28"\nbridge = "br1"\n',
    ]
    for h in range(3):
        parts.append(f'[hosts.h{h}]\nuplink = "eno1"\n')
    for v in range(rng.randrange(1, 9)):
        nets = rng.choice(['"lan"', '"dmz"', '"lan" }, { network = "dmz"'])
        parts.append(
            f'[vms.v{v}]\nhost = "h{rng.randrange(3)}"\n'
            f"interfaces = [{{ network = {nets} }}]\n"
            + ("vsock = true\n" if rng.random() < 0.3 else "")
        )
    return "\n".join(parts)


def mutated_with_lock(index: int) -> tuple[Source, Source]:
    """A small fleet with its own fleet.lock, then changed: a VM written with
    a value another VM has locked (its claim refused: F803), VMs moved to
    another host (their per-host values may give way), or mutated
    (tests/support/fuzz_mutate.py)."""
    import random

    from tests.support.fuzz_mutate import MUTATORS

    rng = random.Random(f"allocate:{index}")
    text = small_fleet(rng)
    lock = compile(Source("fleet.toml", text), PLACE, entropy=lambda n: b"\x01" * n)
    if index % 3 == 0:
        text = taking_a_locked_value(text, lock.lock_text, rng)
    if index % 4 == 1:
        text = text.replace('host = "h0"', 'host = "h1"')
    for _ in range(rng.choice((0, 0, 1, 2))):
        text = rng.choice(MUTATORS)(text, rng, "toml")
    return Source("fleet.toml", text), Source("fleet.lock", lock.lock_text)


def taking_a_locked_value(text: str, lock: str, rng) -> str:
    """One VM written with a value the lock gives another VM."""
    import re

    key = rng.choice(["machine_id", "vsock_cid"])
    values = re.findall(rf"^{key} = (.+)$", lock, re.M)
    headers = [m.end() for m in re.finditer(r"^\[vms\.v\d\]\n", text, re.M)]
    if not values or not headers:
        return text
    at = rng.choice(headers)
    return text[:at] + f"{key} = {rng.choice(values)}\n" + text[at:]


def test_allocation_fills_as_replace_does(monkeypatch):
    """Filled VMs and interfaces equal what dataclasses.replace made, every
    field and span; the diagnostics (F803's holders among them) and the lock
    are the same."""
    from fleetc import allocate

    compared, codes = 0, set()
    for index in range(150):
        source, lock = mutated_with_lock(index)
        fast = compile(source, PLACE, None, lock, entropy=lambda n: b"\x01" * n)
        monkeypatch.setattr(allocate, "_with", plain_with)
        plain = compile(source, PLACE, None, lock, entropy=lambda n: b"\x01" * n)
        monkeypatch.undo()
        assert shown(fast.diagnostics) == shown(plain.diagnostics)
        assert fast.lock_text == plain.lock_text
        if fast.fleet is not None:
            assert every_field(fast.fleet.vms) == every_field(plain.fleet.vms)
        compared += fast.lock_text is not None
        codes.update(d.code for d in fast.diagnostics)
    assert compared > 30 and "F803" in codes  # a locked value refused, its holder named


# -- fleet.lock's IPv4 addresses: a canonical one matched, not parsed ----------


def plain_ipv4_problem(text: str) -> str | None:
    """lock/values.py's IPv4 check before the fast path: ipaddress alone."""
    import ipaddress

    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return "bad"
    return None if parsed.version == 4 and str(parsed) == text else "bad"


# Octets as written, leading zeros and out of range among them.
OCTETS = ["0", "00", "01", "7", "10", "010", "99", "199", "249", "250", "255", "256"]


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        st.text(st.sampled_from("0123456789.:x "), max_size=18),
        st.integers(0, 2**32 - 1).map(
            lambda n: str(__import__("ipaddress").IPv4Address(n))
        ),
        st.lists(st.integers(0, 300).map(str), min_size=3, max_size=5).map(".".join),
        st.lists(st.sampled_from(OCTETS), min_size=3, max_size=5).map(".".join),
    )
)
def test_lock_ipv4_check_matches_the_plain_one(text):
    from fleetc.lock.values import CANONICAL_IPV4, VALIDATORS

    if CANONICAL_IPV4.fullmatch(text):
        assert plain_ipv4_problem(text) is None
    assert (VALIDATORS["ipv4"](text) is None) == (plain_ipv4_problem(text) is None)


# -- a locked address judged by integers before address objects ----------------


@st.composite
def pools_and_values(draw):
    """A network of one family (tiny prefixes among them), reserved ranges in
    and around it, and a value in or near it."""
    from fleetc.allocate.addresses import Pool
    from fleetc.core import inet
    from fleetc.core.model import Network

    version = draw(st.sampled_from([4, 6]))
    base, width = ("10.0.0.0", 32) if version == 4 else ("fd00::", 128)
    length = draw(st.integers(width - 6, width))
    start = int(__import__("ipaddress").ip_address(base))
    size = 2 ** (width - length)

    def near():
        return start + draw(st.integers(-2, size + 2))

    def text(value):
        return str(__import__("ipaddress").ip_address(max(value, 0)))

    reserved = []
    for _ in range(draw(st.integers(0, 3))):
        low, high = sorted((near(), near()))
        reserved.append(f"{text(low)}-{text(high)}")
    prefix = f"{base}/{length}"
    net = Network(name="n", reserved=tuple(reserved), **{f"ipv{version}": prefix})
    parsed = inet.subnets(Fleet(name="t", networks=(net,)))["n"]
    return Pool(net, parsed, version), max(near(), 0)


@settings(max_examples=600, deadline=None)
@given(pools_and_values())
def test_address_usability_matches_the_plain_judgement(pool_and_value):
    pool, value = pool_and_value
    assert pool.unusable(value) == pool._why_unusable(value)
