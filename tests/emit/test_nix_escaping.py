"""Every string fleetc puts into Nix evaluates back to itself: no input can inject code.

Checked with the real evaluator (nix-instantiate --eval), strings batched into
one list per call to keep the suite fast.
"""

from __future__ import annotations

import json
import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetc.emit import nix

# Nix strings cannot hold NUL; surrogates are not text. Everything else may come in.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"))
NASTY = [
    '${builtins.abort "x"}',
    "$${x}",
    "\\${x}",
    "''${x}",
    "''",
    "'''",
    '"',
    "\\",
    "\\\\n",
    "$",
    "a$",
    "line\nbreak\r\nwindows\ttab",
    "\r",
    "unicodé ☃ 𝄞",
    "\x1b[31m\x7f",
    "",
]


def evaluate(expression: str):
    done = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "-E", expression],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_nasty_strings_evaluate_to_themselves():
    assert evaluate(nix.render(NASTY)) == NASTY


def test_nasty_attribute_names_evaluate_to_themselves():
    names = [n for n in NASTY if n] + ["in", "or", "a-b", "a'b", "_x", "1abc"]
    attrs = {name: index for index, name in enumerate(names)}
    assert evaluate(nix.render(attrs)) == attrs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_any_string_evaluates_to_itself(strings):
    assert evaluate(nix.render(strings)) == strings


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(TEXT, st.integers(0, 9), min_size=1, max_size=10))
def test_any_attribute_name_evaluates_to_itself(attrs):
    assert evaluate(nix.render(attrs)) == attrs


def test_interpolation_is_only_fleetc_own():
    expression = nix.interpolated("a${b}", nix.Expr('"c"'), "$")
    assert evaluate(expression.text) == "a${b}c$"


def test_paths_that_are_not_path_literals_still_evaluate(tmp_path):
    target = tmp_path / "my modules" / "web's.nix"
    target.parent.mkdir()
    target.write_text("42\n")
    host = tmp_path / "generated"
    host.mkdir()
    expression = nix.path("../my modules/web's.nix").text
    (host / "probe.nix").write_text(f"import {expression}\n")
    assert evaluate(f"import {host / 'probe.nix'}") == 42


# Multi-line strings are written as indented strings (''), whose escapes
# ('''  ''${  ''\x) and indentation stripping are easy to get wrong: the
# alphabet is what they are made of.
TRICKY = st.text(
    st.sampled_from(["'", "$", "{", "}", "\n", " ", "\t", "\r", "\\", "a"])
)


def multi_line(text: str) -> bool:
    return "\n" in text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TRICKY.filter(multi_line), min_size=1, max_size=25), st.integers(0, 4))
def test_any_multi_line_string_evaluates_to_itself(strings, depth):
    value: object = {"s": strings}
    for _ in range(depth):
        value = {"d": value}
    rendered = nix.render(value, depth % 2)
    got = evaluate(rendered)
    for _ in range(depth):
        got = got["d"]
    assert got == {"s": strings}


def test_multi_line_strings_are_indented_strings():
    script = "systemctl stop 'a' || true\necho \"${x}\" ''\n"
    rendered = nix.render({"script": script}, 1)
    assert rendered == (
        "{\n"
        "    script = ''\n"
        "      systemctl stop 'a' || true\n"
        "      echo \"''${x}\" '''\n"
        "    '';\n"
        "  }"
    )
    assert evaluate(rendered) == {"script": script}


def test_strings_indentation_would_change_stay_double_quoted():
    """Nix strips the indentation every line shares, and a last line of spaces."""
    for text in ["  a\n  b\n", "a\n  ", "\n", " \n "]:
        assert nix.render(text).startswith('"')
        assert evaluate(nix.render([text])) == [text]
