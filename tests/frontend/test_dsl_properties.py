"""Property tests: random models survive both writers unchanged; mutated .fleet
files give diagnostics or a model, never an exception.

The model strategy is built from the schema: every key of every section gets
values of its kind, so keys added to schema.py are exercised without a change
here. Models are those a reader can produce (any text but NUL, names unique
per table), a superset of those the checks accept.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetc.core import pipeline
from fleetc.convert import to_fleet, to_toml
from fleetc.core.diagnostics import render_text
from fleetc.frontend import schema
from fleetc.frontend.dsl import load_dsl
from fleetc.frontend.toml import load_toml
from fleetc.core.model import Fleet, ModuleRef, Pairs
from fleetc.core.source import Source

from tests.frontend.test_dsl import SAMPLE
from tests.support.paths import SAMPLES

# Words a fleet holds, and words that look like the DSL's own syntax.
WORDS = st.sampled_from(
    [
        "lan",
        "br0",
        "10.0.0.1",
        "fd00::1",
        "02:00:00:00:00:01",
        "0123456789abcdef0123456789abcdef",
        "x86_64-linux",
        "vm",
        "host",
        "mount",
        "true",
        "false",
        "->",
        "=",
        "{",
        "}",
        "#",
        "a b",
        "./x.nix",
        "inputs.a.b",
        "",
    ]
)
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=10,
)
STRINGS = WORDS | TEXT
NAMES = st.lists(STRINGS, unique=True, max_size=3)
INTS = st.integers(-(2**63), 2**63 - 1)


def _default(model: type, name: str):
    for found in dataclasses.fields(model):
        if found.name == name:
            return found.default
    return dataclasses.MISSING


def _value(key: schema.Key, model: type):
    """Values of a key's kind; None too where the model's default is None."""
    kind = key.kind.name
    if key.section is not None:
        return _tables(key)
    if kind == "modules":
        return st.lists(STRINGS.map(lambda text: ModuleRef(text=text)), max_size=3).map(
            tuple
        )
    if kind in schema.FREE_FORM:
        return _free_form(kind)
    if key.kind.element is not None:
        return st.lists(STRINGS, max_size=3).map(tuple)
    values = _scalars(key)
    return st.none() | values if _default(model, key.field) is None else values


# Free-form values (meta): any scalar, or a flat list of them.
FREE_SCALARS = STRINGS | INTS | st.booleans()
FREE_VALUES = FREE_SCALARS | st.lists(FREE_SCALARS, max_size=3).map(tuple)


def _free_form(kind: str):
    """model.Pairs: unique keys; meta takes any free value, follows strings."""
    values = FREE_VALUES if kind == "meta" else STRINGS
    pairs = st.lists(st.tuples(STRINGS, values), unique_by=lambda p: p[0], max_size=3)
    return pairs.map(Pairs)


def _scalars(key: schema.Key):
    if key.allowed:
        return st.sampled_from(key.allowed)
    kind = key.kind.name
    if kind == "int":
        return INTS
    if kind == "bool":
        return st.booleans()
    if kind == "address":
        return st.just(False) | STRINGS
    return STRINGS


def _tables(key: schema.Key):
    kind = key.kind.name
    if kind == "named":
        return NAMES.flatmap(lambda names: _named(key.section, names))
    if kind == "tables":
        return st.lists(nodes(key.section), max_size=2).map(tuple)
    return st.none() | nodes(key.section)


def _named(section: schema.Section, names: list[str]):
    return st.tuples(*(nodes(section, **{section.name_field: name}) for name in names))


def nodes(section: schema.Section, **given_fields):
    fields = {
        key.field: _value(key, section.model)
        for key in section.keys
        if key.field not in given_fields
    }
    fixed = {name: st.just(value) for name, value in given_fields.items()}
    return st.builds(section.model, **fields, **fixed)


@st.composite
def fleets(draw) -> Fleet:
    top = {
        name: draw(_value(schema.DOCUMENT.key(name), Fleet))
        for name in ("networks", "hosts")
    }
    hosts = [host.name for host in top["hosts"]]
    vms = []
    for name in draw(NAMES):
        host = draw(st.sampled_from(hosts) | STRINGS if hosts else STRINGS)
        vms.append(draw(nodes(schema.VM, name=name, host=host)))
    return draw(nodes(schema.FLEET, **top, vms=tuple(vms)))


PROPERTIES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTIES
@given(fleets())
def test_models_survive_toml(fleet):
    text = to_toml(fleet)
    read, diagnostics = load_toml(Source("fleet.toml", text))
    assert diagnostics == [], text
    assert read == fleet


@PROPERTIES
@given(fleets())
def test_models_survive_the_dsl(fleet):
    text = to_fleet(fleet)
    read, diagnostics = load_dsl(Source("fleet.fleet", text))
    assert diagnostics == [], [render_text(d) for d in diagnostics]
    assert read == fleet


# -- mutations -------------------------------------------------------------------

SEEDS = [SAMPLE] + [path.read_text() for path in sorted(SAMPLES.glob("*/fleet.fleet"))]
SYNTAX_BYTES = st.sampled_from(list(b'{}"#\n\r\t \\-=>.:0aZ\xc3\xa9\x00\xff'))
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["replace", "insert", "delete"]),
        st.integers(min_value=0),
        SYNTAX_BYTES | st.integers(0, 255),
    ),
    min_size=1,
    max_size=4,
)


def mutated(seed: str, mutations: list) -> str:
    data = bytearray(seed.encode())
    for kind, position, byte in mutations:
        at = position % (len(data) + 1)
        if kind == "insert":
            data[at:at] = bytes([byte])
        elif kind == "replace" and at < len(data):
            data[at] = byte
        else:
            del data[at : at + 1]
    # What the CLI can read: invalid UTF-8 is an I/O error (F007) before here.
    return bytes(data).decode("utf-8", errors="replace")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SEEDS), MUTATIONS)
def test_mutated_files_give_diagnostics_never_exceptions(seed, mutations):
    text = mutated(seed, mutations)
    source = Source("fleet.fleet", text)
    result = pipeline.compile(source, pipeline.Placement(PurePosixPath("/srv/fleet")))
    for diagnostic in result.diagnostics:
        render_text(diagnostic)  # every span points into the text
        assert diagnostic.span is None or diagnostic.span.end <= len(text) + 1
    assert result.ok or any(d.is_error for d in result.diagnostics)
