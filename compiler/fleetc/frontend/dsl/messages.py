"""How the DSL builder words what it finds wrong: F001, F002 and F102.

A mixin of dsl_build.Builder, which has `source` and `diagnostics`. Problems
with types, allowed values and required keys are the schema reader's
(dsl_reader words them); these are the ones only a .fleet file can have.
"""

from __future__ import annotations

import re

from ...core.diagnostics import Diagnostic, error
from ...core.source import Source, Span
from . import words
from ..schema import Key, Section

from .statements import Statement, Word
from .tables import Table

_LOOKS_LIKE_A_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_ESCAPES = 'escapes: \\" \\\\ \\n \\t \\r \\uXXXX \\UXXXXXXXX'


class Reporting:
    source: Source
    diagnostics: list[Diagnostic]

    def report(self, code: str, message: str, token: Word, **kw) -> None:
        span = Span(self.source, token.start_pos, token.end_pos)
        self.diagnostics.append(error(code, message, span, **kw))

    def unknown(self, token: Word, table: Table) -> None:
        choices = words.suggestions(table.section)
        from difflib import get_close_matches  # loaded only for a wrong word

        close = get_close_matches(token.value, choices, n=1)
        fix = f"did you mean `{close[0]}`?" if close else _allowed(table.section)
        where = f" in {table.title}" if table.path else ""
        self.report("F002", f"unknown key `{token}`{where}", token, help=fix)

    def not_a_key(self, token: Word, table: Table) -> None:
        if token.type == "WORD" and _LOOKS_LIKE_A_KEY.match(token.value):
            self.unknown(token, table)
            return
        shown = f"`{token}`" if token.type == "WORD" else "a quoted string"
        message = f"expected a key of {table.title}, found {shown}"
        fix = "write the key before its value; " + _allowed(table.section)
        self.report("F001", message, token, help=fix)

    def missing_value(self, word: Word, key: Key, table: Table) -> None:
        expected = words.expected_value(key, table.section)
        message = f"expected {expected} after `{word}`"
        self.report("F001", message, word, help=f"write `{word} VALUE`")

    def missing_name(self, statement: Statement) -> None:
        head = statement.head
        message = f"expected a name after `{head}`"
        self.report("F001", message, head, help=f"write `{head} NAME`")

    def after_equals(self, statement: Statement) -> list[Word]:
        """`mem = 1024` is TOML's way: say so, and read the value anyway."""
        values = statement.values
        if values and values[0].type == "WORD" and values[0].value == "=":
            fix = f"write `{statement.head} VALUE`, without `=`"
            self.report("F001", "unexpected `=`", values[0], help=fix)
            return values[1:]
        return values

    def twice(self, word: Word, key: Key, first: Word) -> None:
        line, _ = self.source.line_col(first.start_pos)
        message = f"`{words.word(key)}` is already set (on line {line})"
        self.report("F001", message, word, help="give each key once per table")

    def duplicate_name(self, statement: Statement, name: str, first: Table) -> None:
        line, _ = self.source.line_col(first.name.start_pos)
        message = f"duplicate name `{name}`: {first.title} is declared on line {line}"
        self.report("F102", message, statement.values[0], help="rename one of them")

    def no_block(self, statement: Statement, key: Key, table: Table) -> None:
        head = statement.head
        message = f"`{head}` takes values on its line, not a block"
        expected = words.expected_value(key, table.section)
        self.report("F001", message, head, help=f"write `{head} VALUE`: {expected}")

    def arrow_not_here(self, token: Word, table: Table) -> None:
        message = f"`->` gives a mount point, and {table.title} has none"
        self.report("F001", message, token, help="remove `->`")

    def table_on_a_line(self, word: Word) -> None:
        message = f"`{word}` takes a statement of its own, on its own line"
        self.report("F001", message, word)

    def bad_escape(self, start: int, message: str) -> None:
        span = Span(self.source, start, start + 1)
        self.diagnostics.append(error("F001", message, span, help=_ESCAPES))


def _allowed(section: Section) -> str:
    return "allowed here: " + ", ".join(words.suggestions(section))
