"""Well-formed .fleet text into statements without lark (issue 11).

Pre-commit runs `fleetc check` on every commit, and a fleet with a .fleet twin
reads it every time: importing lark and loading its tables was a fifth of that
run. The grammar (grammar/fleet.lark) is small: lines, values and blocks. This
reads text the grammar accepts, with the grammar's own terminals, into the
statements lark's parser would build. Whatever it does not accept (a syntax
error, or blocks nested deeper than MAX_DEPTH) goes to dsl_syntax, which asks
lark and says what is wrong in words; only then is lark imported.

tests/frontend/test_dsl_scan.py holds the terminals to the grammar's and the statements
to lark's, on every sample and case, mutated files and short strings.
"""

from __future__ import annotations

import re

from ...core.diagnostics import Diagnostic
from ...core.source import Source
from .statements import MAX_DEPTH, Statement, head_word, values_in, with_newline

# grammar/fleet.lark's terminals, as lark writes them (tests/frontend/test_dsl_scan.py
# compares): a grammar edit fails that test until this module follows it.
# Like lark's, BLANK, STRING and NL hold real tabs, form feeds and newlines.
WORD = r'[^\s"{}#][^\s"{}]*'
BLANK = "[ \t\r\x0c]+"
STRING = '"(?:[^"\\\\\n]|\\\\.)*"'
VALUES = f"(?:{BLANK}(?:{STRING}|{WORD}))+"
NL = "(?:#[^\n]*)?\n(?:[ \t\r\x0c]*(?:#[^\n]*)?\n)*[ \t\r\x0c]*"

_WORD, _VALUES, _NL = re.compile(WORD), re.compile(VALUES), re.compile(NL)
_BLANKS = re.compile(BLANK[:-1] + "*")  # none or more


def parse(source: Source) -> tuple[list[Statement] | None, Diagnostic | None]:
    """As dsl_syntax.parse: the statements, or None and the syntax error."""
    found = statements(with_newline(source.text))
    if found is not None:
        return found, None
    from . import syntax as dsl_syntax  # lark, for what is wrong with the text

    return dsl_syntax.parse(source)


class _Malformed(Exception):
    """Not the grammar's (or too deep): for lark to explain."""


def statements(text: str) -> list[Statement] | None:
    """`start: _NL? _statement*` of `text` (ending in a newline); None when
    the text is not well-formed."""
    try:
        return _Scanner(text).start()
    except _Malformed:
        return None


class _Scanner:
    """The grammar's rules over `text`, from `pos`; each raises _Malformed
    where lark would raise its syntax error."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def start(self) -> list[Statement]:
        self.blanks()
        self.optional(_NL)
        found = self.statements()
        if self.pos < len(self.text):  # a `}` with no block open
            raise _Malformed
        return found

    def statements(self) -> list[Statement]:
        """`_statement*`, up to a `}` (left for the block) or the end."""
        found = []
        while self.pos < len(self.text) and self.text[self.pos] != "}":
            found.append(self.statement())
        return found

    def statement(self) -> Statement:
        """`line: WORD VALUES? _NL` or `block: WORD VALUES? LBRACE ...`."""
        head = self.expect(_WORD)
        word = head_word(head.group(), head.start())
        values = self.optional(_VALUES)
        found = values_in(values.group(), values.start()) if values else []
        self.blanks()
        if self.optional(_NL):
            return Statement(word, found, None)
        return Statement(word, found, self.block())

    def block(self) -> list[Statement]:
        """`LBRACE (_NL _statement*)? RBRACE _NL`, from the `{`."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Malformed
        self.character("{")
        inside = self.statements() if self.optional(_NL) else []
        self.character("}")
        self.expect(_NL)
        self.depth -= 1
        return inside

    def character(self, wanted: str) -> None:
        """`wanted` (a brace) after any blanks, and the blanks after it."""
        if not self.text.startswith(wanted, self.pos):
            raise _Malformed
        self.pos += 1
        self.blanks()

    def blanks(self) -> None:
        """`%ignore _BLANK`: the only places blanks are not part of a token."""
        self.pos = _BLANKS.match(self.text, self.pos).end()

    def optional(self, terminal: re.Pattern) -> re.Match | None:
        found = terminal.match(self.text, self.pos)
        if found is not None:
            self.pos = found.end()
        return found

    def expect(self, terminal: re.Pattern) -> re.Match:
        found = self.optional(terminal)
        if found is None:
            raise _Malformed
        return found
