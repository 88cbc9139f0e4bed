"""What the .fleet grammar gives dsl_build: statements of words, with offsets.

Shared by both readers of the grammar: dsl_scan (well-formed text, no lark)
and dsl_syntax (lark: anything else, with the syntax error in words). Kept
apart from both so that dsl_build needs neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class Word:
    """A statement's word or one of its values: WORD, STRING (quoted) or ARROW.

    A plain class: a large fleet has hundreds of thousands, and a frozen
    dataclass takes three times as long to make.
    """

    __slots__ = ("type", "value", "start_pos", "end_pos")

    def __init__(self, kind: str, value: str, start_pos: int, end_pos: int) -> None:
        self.type = kind
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Word({self.type}, {self.value!r}, {self.start_pos})"


@dataclass(slots=True)
class Statement:
    """`head value... [{ statement... }]` as written, with offsets."""

    head: Word
    values: list[Word]
    block: list[Statement] | None

    @property
    def header(self) -> tuple[int, int]:
        """From the head to its last value: what a diagnostic about it underlines."""
        last = self.values[-1] if self.values else self.head
        return self.head.start_pos, last.end_pos


# A fleet nests three blocks deep (`host { vm { interface {`). Far deeper input
# is a mistake, and the parser would read all of it before saying so: stop at
# the first `{` too many.
MAX_DEPTH = 8

# The grammar's STRING and WORD: what a VALUES token holds, between blanks.
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
ITEM = re.compile(STRING.pattern + r'|[^\s"{}]+')


def head_word(text: str, start: int) -> Word:
    return Word("WORD", text, start, start + len(text))


def values_in(token: str, start: int) -> list[Word]:
    """The words of a VALUES token (its blanks and values) found at `start`."""
    return [
        _word(found.group(), start + found.start()) for found in ITEM.finditer(token)
    ]


def _word(text: str, start: int) -> Word:
    kind = "STRING" if text[0] == '"' else "ARROW" if text == "->" else "WORD"
    return Word(kind, text, start, start + len(text))


def with_newline(text: str) -> str:
    """Every statement ends a line: give the last one its newline."""
    return text if text.endswith("\n") else text + "\n"
