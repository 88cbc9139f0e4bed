"""rtoml's document is used only where it is tomli's (frontend/toml_parse.py).

tomli stays the reference: on random TOML, and on random edits of it, whatever
`by_rtoml` returns, tomli parses to the same keys in the same order and the
same values of the same types; what tomli refuses, by_rtoml leaves to it. And
fleetc without rtoml (no wheel for the platform) compiles as it does with it.
"""

from __future__ import annotations

import math
import sys
from pathlib import PurePosixPath

import pytest
import tomli
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fleetc.core.diagnostics import render_text
from fleetc.core.pipeline import compile
from fleetc.core.placement import Placement
from fleetc.core.source import Source
from fleetc.frontend import toml_parse as toml

from tests.support.paths import ROOT, SAMPLES

rtoml = pytest.importorskip("rtoml")


def typed(value):
    """A document with every type and order spelled out (True is not 1, a
    dict's order counts, NaN equals NaN)."""
    if isinstance(value, dict):
        return ("table", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [typed(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def tomli_says(text: str):
    try:
        return typed(tomli.loads(text))
    except (tomli.TOMLDecodeError, RecursionError, ValueError) as problem:
        return type(problem).__name__


def assert_as_tomli(text: str) -> None:
    document = toml.by_rtoml(text)
    if document is not None:
        assert typed(document) == tomli_says(text), text


keys = st.sampled_from(
    ["a", "b", "A-b_9", '"q"', '"a.b"', "'lit'", '""', '"\\u00e9"', "1", "true", "a.b"]
)
scalars = st.sampled_from(
    [
        '"text"', "'lit'", '"esc\\t\\"\\\\\\u0041\\U0001F600"', '"""multi\nline"""',
        '"""a\\\n   b"""', "'''raw\n\\n'''", '""', "0", "-7", "+7", "1_000", "0x_1",
        "0xDEAD_beef", "0o17", "0b101", "9223372036854775807", "99999999999999999999",
        "1.5", "-0.0", "1e3", "1E-3", "6.02e+23", "inf", "-inf", "nan", "+nan", "1.",
        ".5", "01", "true", "false", "True", "1979-05-27", "07:32:00", "07:32",
        "1979-05-27T07:32:00Z", "1979-05-27 07:32:00.5+01:00", "1979-05-27T07:32:00",
        '"\\e"', '"\\x41"', "[]", "[1, 2,]", '[1, "a"]', "[[1], [2]]", "{}",
        "{ x = 1 }", "{ x = 1, }", "{ x.y = 1, x.z = 2 }", "{\n x = 1 }",
    ]
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
        st.lists(st.tuples(keys, inner), max_size=3).map(
            lambda pairs: "{ " + ", ".join(f"{k} = {v}" for k, v in pairs) + " }"
        ),
    ),
    max_leaves=6,
)
lines = st.one_of(
    st.tuples(keys, values).map(lambda pair: f"{pair[0]} = {pair[1]}"),
    keys.map(lambda key: f"[{key}]"),
    keys.map(lambda key: f"[[{key}]]"),
    st.sampled_from(["", "# comment", "  ", "\t# é", "[a.b]", "[[a.b]]"]),
)
documents = st.lists(lines, max_size=12).map("\n".join)


@settings(max_examples=1000, deadline=None)
@given(documents, st.sampled_from(["", "\n", "\r\n"]))
# A table named after a header made it, by headers read and not read.
@example("[a.b]\n[b]\n[a]", "")
@example("[a.b]\n[b]\n[ a ]", "")
@example('[a.b]\n[b]\n["a"]', "")
@example("[[a.b]]\n[b]\n\t[a] # c", "\n")
@example('x = """\n[a.b]\n"""\n[b]\n[a]', "")
# A multi-line string over a CRLF; a date and time with an offset.
@example('a = """x\nz"""', "\r\n")
@example("a = 1979-05-27T07:32:00Z", "")
def test_rtoml_gives_tomli_s_document_or_none(text, end):
    text = text.replace("\n", end or "\n") + end
    assert_as_tomli(text)


edits = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 3), st.sampled_from(list("\"'=[]{},.#\\\n\r\t 0aé\x00\x7f"))),
    min_size=1,
    max_size=4,
)  # fmt: skip


def edited(text: str, changes) -> str:
    for at, how, char in changes:
        at = at % (len(text) + 1)
        if how == 0:
            text = text[:at] + char + text[at:]
        elif how == 1:
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + char + text[at + 1 :]
    return text


@settings(max_examples=1000, deadline=None)
@given(documents, edits)
@example('a = { a = "text" }', [(7, 0, "\n")])  # rtoml accepts it, tomli not
def test_what_tomli_refuses_is_left_to_it(text, changes):
    assert_as_tomli(edited(text, changes))


def fleet_files():
    """Every TOML file of the tests and samples, fleets and locks."""
    for folder in (SAMPLES, ROOT / "tests"):
        yield from sorted(folder.rglob("*.toml"))
        yield from sorted(folder.rglob("*.lock"))


def test_the_fleets_of_the_tests_parse_alike():
    checked = 0
    for path in fleet_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        assert_as_tomli(text)
        checked += toml.by_rtoml(text) is not None
    assert checked > 50


# -- fleetc with and without rtoml ---------------------------------------------

PLACE = Placement(PurePosixPath("/fleet"))


def big_fleet(vms: int, mistake: str = "") -> str:
    """Bench-like, past RTOML_FROM characters, its interfaces as arrays of
    tables (rtoml reads no inline table, and the bench's lock has none)."""
    parts = [
        '[fleet]\nname = "b"\n[networks.lan]\nipv4 = "10.0.0.0/16"\nbridge = "br0"\n'
    ]
    for v in range(vms):
        parts.append(
            f'[hosts.h{v}]\nuplink = "eno1"\n[vms.v{v}]\nhost = "h{v}"\nmem = 1024\n'
            f'[[vms.v{v}.interfaces]]\nnetwork = "lan"\n'
        )
    text = "\n".join(parts) + mistake
    assert len(text) >= toml.RTOML_FROM
    return text


def compiled(text: str, lock: str | None = None):
    result = compile(
        Source("fleet.toml", text),
        PLACE,
        None,
        Source("fleet.lock", lock) if lock is not None else None,
        entropy=lambda n: b"\x01" * n,
        emit_files=False,
    )
    return [render_text(d) for d in result.diagnostics], result.lock_text


def sealed(lock: str) -> str:
    return lock[: lock.rindex("# sha256: ")] + "# sha256: edited\n"


LOCK_MISTAKES = {
    "a table twice": lambda lock: sealed(lock + '[vms.v3]\nhost = "h3"\n'),
    "an address twice": lambda lock: sealed(lock.replace("10.0.0.3", "10.0.0.2")),
    "a value of another type": lambda lock: sealed(lock.replace('"10.0.0.4"', "4")),
    "a date": lambda lock: sealed(lock + "[vms.v9]\nhost = 1979-05-27\n"),
    "an inline table": lambda lock: sealed(lock + "[vms.v9]\nx = { a = 1 }\n"),
    "a carriage return": lambda lock: sealed(lock.replace("\n", "\r\n", 9)),
    "cut": lambda lock: lock[: len(lock) // 2],
}


@pytest.mark.parametrize(
    "mistake, lock_mistake",
    [
        ("", None),
        ('[vms.v3]\nhost = "h1"\n', None),  # a table twice: tomli's message and place
        ('[vms.late]\nhost = "h1"\nmem = "lots"\n', None),
        ("[vms.when]\nborn = 1979-05-27T07:32:00Z\n", None),  # a date: tomli parses
        ("x = 1\r\n", None),  # a carriage return: tomli parses
        ("", "a table twice"),
        ("", "an address twice"),
        ("", "a value of another type"),
        ("", "a date"),
        ("", "an inline table"),
        ("", "a carriage return"),
        ("", "cut"),
    ],
)
def test_fleetc_without_rtoml_compiles_alike(monkeypatch, mistake, lock_mistake):
    text = big_fleet(500, mistake)
    lock = compiled(big_fleet(500))[1]
    if lock_mistake is not None:
        lock = LOCK_MISTAKES[lock_mistake](lock)
    with_rtoml = compiled(text, lock)
    assert with_rtoml[0] or not (mistake or lock_mistake)  # each mistake is said
    monkeypatch.setitem(sys.modules, "rtoml", None)  # import rtoml fails
    assert toml.by_rtoml(text) is None and toml.by_rtoml(lock) is None
    assert compiled(text, lock) == with_rtoml


def test_rtoml_parses_a_large_clean_fleet_and_its_lock():
    text = big_fleet(500)
    lock = compiled(text)[1]
    assert toml.by_rtoml(text) is not None and toml.by_rtoml(lock) is not None
