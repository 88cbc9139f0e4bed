"""Source text and spans: offsets are stored, line:col is computed only when printed."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property


class Source:
    """One input file. Identity-compared: two reads of a file are two sources."""

    __slots__ = ("name", "text", "__dict__")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        find = self.text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        return starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of an offset."""
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end != -1 else len(self.text)].rstrip("\r")

    def __repr__(self) -> str:
        return f"Source({self.name!r})"


@dataclass(frozen=True, slots=True)
class Span:
    source: Source
    start: int
    end: int

    @property
    def line_col(self) -> tuple[int, int]:
        return self.source.line_col(self.start)

    def location(self) -> str:
        line, col = self.line_col
        return f"{self.source.name}:{line}:{col}"
