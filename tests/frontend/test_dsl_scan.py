"""dsl_scan, the reader of well-formed .fleet text without lark, against lark's
parser (dsl_syntax): the same terminals, and the same statements at the same
offsets wherever lark accepts the text; where lark does not, the scanner
accepts nothing either, so lark's error in words is what the user sees."""

from __future__ import annotations

import random

import pytest

from fleetc.frontend.dsl import scan as dsl_scan, syntax as dsl_syntax
from fleetc.frontend.dsl.statements import MAX_DEPTH, with_newline
from fleetc.core.source import Source

from tests.support.fuzz_mutate import make_input
from tests.support.paths import CASES, SAMPLES

# Corners of the grammar: blanks and comments where they may go, empty and
# inline blocks, line ends, and what lark refuses.
CORNERS = [
    "",
    "\n\n",
    " \t",
    "  # a comment first\n\n  a\n",
    "a\r\nb c\r\n",
    "a#b c#d # comment\n",
    'a "x y"#comment\n',
    'a "x"y\n',
    'a b"c"\n',
    "a {}\n",
    "a { }  # c\n",
    "a b{}\n",
    "a{\n}\n",
    "a {\n}",
    "a {\n  b {\n  }\n\n  # c\n  c -> d\n}\n",
    "a {\n} b\n",
    "a { b\n}\n",
    "a {\n",
    "}\n",
    "a\n}\n",
    "{\n}\n",
    '"a" b\n',
    "a\x0bb\n",
    "a\u00a0b\n",
    "a\x00b\f c\n",
    "a {\n" * MAX_DEPTH + "}\n" * MAX_DEPTH,
    "a {\n" * (MAX_DEPTH + 1) + "}\n" * (MAX_DEPTH + 1),
    "a {}\n" * 3 + "a {" * (MAX_DEPTH + 1) + "}\n",
]


def shape(statements) -> list | None:
    """Statements as plain data (Word has no ==): every word and offset."""
    if statements is None:
        return None
    return [
        (words(s.head), [words(v) for v in s.values], shape(s.block))
        for s in statements
    ]


def words(word) -> tuple:
    return word.type, word.value, word.start_pos, word.end_pos


def both(text: str) -> tuple[list | None, list | None]:
    """(the scanner's statements, lark's), None where one refuses the text."""
    scanned = dsl_scan.statements(with_newline(text))
    parsed, _ = dsl_syntax.parse(Source("fleet.fleet", text))
    return shape(scanned), shape(parsed)


def test_the_scanners_terminals_are_the_grammars():
    """A grammar edit fails here until dsl_scan is brought along."""
    parser = dsl_syntax.parser()
    grammar = {t.name: t.pattern.to_regexp() for t in parser.terminals}
    scanned = {"WORD": dsl_scan.WORD, "_BLANK": dsl_scan.BLANK}
    scanned |= {"VALUES": dsl_scan.VALUES, "_NL": dsl_scan.NL}
    assert grammar == scanned | {"LBRACE": "\\{", "RBRACE": "\\}"}
    assert parser.lexer_conf.ignore == ["_BLANK"]
    assert {t.name for t in parser.terminals if t.priority} == {"VALUES"}


@pytest.mark.parametrize("text", CORNERS)
def test_corners_are_read_as_lark_reads_them(text):
    scanned, parsed = both(text)
    assert scanned == parsed


def test_every_sample_and_case_is_read_as_lark_reads_it():
    texts = [p.read_text() for p in sorted(SAMPLES.glob("*/fleet.fleet"))]
    texts += [p.read_text() for p in sorted(CASES.glob("*/fleet.fleet"))]
    assert len(texts) >= 10
    for text in texts:
        scanned, parsed = both(text)
        assert scanned == parsed


def test_mutated_files_are_read_as_lark_reads_them():
    """The fuzzer's mutations (bytes, tokens, splices) of every .fleet seed:
    about half stay well-formed, the rest must be refused by both."""
    accepted = 0
    for index in range(1000):
        text = make_input(11, "fleet", index)
        scanned, parsed = both(text)
        assert scanned == parsed, text
        accepted += scanned is not None
    assert 200 < accepted < 900


# What the grammar's tokens are made of, and what they must not hold.
PIECES = ["a", "b", " ", "\t", "\n", "{", "}", "#", '"', "\\", "\r", "\f"]
PIECES += ["->", 'x"y', "\x0b", "\u00a0"]


def test_short_strings_of_the_grammars_pieces_are_read_as_lark_reads_them():
    """Dense in the corners mutations of whole files rarely reach."""
    pick = random.Random(7)
    for _ in range(5000):
        text = "".join(pick.choice(PIECES) for _ in range(pick.randint(0, 30)))
        scanned, parsed = both(text)
        assert scanned == parsed, repr(text)


def test_a_syntax_error_is_still_lark_s_in_words():
    """dsl_scan.parse hands what it refuses to lark."""
    statements, problem = dsl_scan.parse(Source("fleet.fleet", "fleet a {\n}\n}\n"))
    assert statements is None
    assert problem.message == "expected a statement or the end of the file, found `}`"
    assert problem.help == "no block is open here: remove this `}`"
