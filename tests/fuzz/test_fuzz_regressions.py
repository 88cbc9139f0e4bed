"""What fuzzing found (issue 9, item 11), each in both formats: huge integers,
integers past 64 bits or past their option's range, a Hydra URL that Python's
urlsplit refuses, and deeply nested blocks. Each is a located diagnostic now,
never a traceback or a tree Nix cannot parse.

Every input is a bundled sample with one value replaced; the test finds the
diagnostic by its code and checks that it underlines exactly that value.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from fleetc.core import pipeline
from fleetc.core.source import Source

from tests.support.paths import ROOT

PLACEMENT = pipeline.Placement(PurePosixPath("/fleet"))
HUGE = "9" * 5000  # past Python's 4,300-digit int() limit: was a ValueError


def sample(name: str, ext: str) -> str:
    return (ROOT / "samples" / name / f"fleet.{ext}").read_text()


def compile_with(name: str, ext: str, old: str, new: str) -> pipeline.Result:
    text = sample(name, ext)
    assert text.count(old) == 1, old
    return pipeline.compile(Source(f"fleet.{ext}", text.replace(old, new)), PLACEMENT)


def underlined(result: pipeline.Result, code: str) -> list[str]:
    """The text each diagnostic of `code` points at."""
    return [
        d.span.source.text[d.span.start : d.span.end]
        for d in result.diagnostics
        if d.code == code
    ]


# (format, text in samples/basic, value written instead, code expected)
OUT_OF_RANGE = [
    ("fleet", "vlan 42", HUGE, "F008"),
    ("toml", "vlan = 42", HUGE, "F008"),
    ("fleet", "vcpu 2", "18446744073709551616", "F008"),
    ("toml", "vcpu = 2", "18446744073709551616", "F008"),
    ("fleet", "size 4096", "-9223372036854775809", "F008"),
    ("toml", "size = 4096", "-9223372036854775809", "F008"),
    ("fleet", "vsock-cid 10", "0" * 30 + "18446744073709551616", "F008"),
    # In Nix's range, not in the option's.
    ("fleet", "vcpu 2", "9223372036854775807", "F005"),
    ("toml", "vcpu = 2", "4097", "F005"),
    ("fleet", "    mem 1024", "4294967297", "F005"),
    ("toml", "size = 4096", str(2**43), "F005"),
]


@pytest.mark.parametrize("ext, old, value, code", OUT_OF_RANGE)
def test_number_out_of_range_is_located(ext, old, value, code):
    written = old.rsplit(" ", 1)[0] + " " + value
    result = compile_with("basic", ext, old, written)
    assert not result.ok and result.files == {}
    assert underlined(result, code) == [value], result.diagnostics


@pytest.mark.parametrize("ext", ["toml", "fleet"])
def test_hydra_url_python_cannot_split_is_f902(ext):
    url = "https://hydra.example.org"
    result = compile_with("deploy", ext, url, url + "[x")
    assert [d.code for d in result.diagnostics if d.is_error] == ["F902"]
    assert underlined(result, "F902")[0].strip('"') == url + "[x"


@pytest.mark.parametrize(
    "text",
    [
        "x {\n" * 30_000,  # 120 kB, as the fuzzer found it: over 3 s before
        "fleet a {\n}\n" + "host h {\n  vm v {\n" * 5 + "}\n" * 10,
    ],
)
def test_deep_nesting_stops_at_the_first_brace_too_many(text):
    result = pipeline.compile(Source("fleet.fleet", text), PLACEMENT)
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "F009"
    span = diagnostic.span
    assert text[span.start : span.end] == "{"
    before = text[: span.start]
    assert before.count("{") - before.count("}") == 8  # the ninth open `{`


def test_nesting_limit_is_eight_blocks():
    """Eight levels pass the parser (the schema then judges the words); nine
    do not. A fleet needs three: `host { vm { interface {`."""
    codes = {}
    for depth in (8, 9):
        text = "fleet a {\n}\n" + "vm v {\n" * depth + "}\n" * depth
        result = pipeline.compile(Source("fleet.fleet", text), PLACEMENT)
        codes[depth] = {d.code for d in result.diagnostics}
    assert "F009" not in codes[8] and "F001" not in codes[8]
    assert codes[9] == {"F009"}
