"""Source text and spans: offsets are stored, line:col is computed only when printed."""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Callable, Iterator

Range = tuple[int, int]
_WHOLE = object()  # a deferred span's key is complete (no `last` part)


def display_path(path: str | os.PathLike) -> str:
    """A file name as fleetc shows and writes it: always valid UTF-8.

    POSIX names are bytes; Python keeps bytes that are not UTF-8 as lone
    surrogates, which no UTF-8 output (stdout, JSON, a generated header) can
    hold. They are shown as `\\xff` escapes instead.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


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


class Span:
    """A range of a source's text, `source.text[start:end]`; immutable.

    Only diagnostics read a span's offsets, and most spans of a large fleet are
    never shown. A frontend that finds positions in a pass of its own (TOML's)
    makes its spans with `deferred`: the offsets are looked up the first time
    `start` or `end` is read, and that pass runs only if some span is read.
    """

    __slots__ = ("_source", "_range", "_find", "_key", "_last")

    def __init__(self, source: Source, start: int, end: int) -> None:
        self._source = source
        self._range: tuple[int, int] | None = (start, end)

    @classmethod
    def deferred(
        cls, source: Source, find: Callable[[Any], Range], key: Any, last: Any = _WHOLE
    ) -> Span:
        """A span whose offsets are `find(key)`, asked for when first needed.

        With `last`, the key is the tuple `key + (last,)`, built only then: the
        spans of one table's values share the table's key instead of holding a
        tuple each (at 10,000 VMs those tuples were 12 MB of the model).
        """
        span = cls.__new__(cls)
        span._source, span._range, span._find = source, None, find
        span._key, span._last = key, last
        return span

    @property
    def source(self) -> Source:
        return self._source

    @property
    def start(self) -> int:
        return self._offsets()[0]

    @property
    def end(self) -> int:
        return self._offsets()[1]

    def _offsets(self) -> tuple[int, int]:
        if self._range is None:
            key = self._key if self._last is _WHOLE else (*self._key, self._last)
            self._range = self._find(key)
        return self._range

    @property
    def line_col(self) -> tuple[int, int]:
        return self.source.line_col(self.start)

    def location(self) -> str:
        line, col = self.line_col
        return f"{self.source.name}:{line}:{col}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return (self.source, self._offsets()) == (other.source, other._offsets())

    def __hash__(self) -> int:
        return hash((self.source, self._offsets()))

    def __repr__(self) -> str:
        return f"Span(source={self.source!r}, start={self.start!r}, end={self.end!r})"


class SpanMap(Mapping):
    """A node's spans (field name -> Span), read-only and compact.

    The names are kept in an index shared by every node whose fields were
    written alike (each VM of a large fleet, mostly), the spans in a tuple: a
    dict per node was 8 MB of a 10,000-VM model and its lock.

    A map made by `lazy` holds, in place of most spans, the arguments that
    make one (the TOML reader's table path and key, or the table path alone
    when the key is the span's name): the Span is made when the name is first
    read, and kept. Most spans of a large fleet never are.
    """

    __slots__ = ("_index", "_spans", "_make")
    _indexes: dict[tuple[str, ...], dict[str, int]] = {}
    # A fleet has few shapes of node; the cap keeps a long-lived process (the
    # fuzzer's 100,000 mutated fleets) from keeping every shape it ever saw.
    SHARED_INDEXES = 1024

    def __init__(self, spans: Mapping[str, Span]) -> None:
        self._index = _shared_index(tuple(spans))
        self._spans: tuple | list = tuple(spans.values())
        self._make: Callable[..., Span] | None = None

    @classmethod
    def lazy(
        cls, names: tuple[str, ...], entries: list, make: Callable[..., Span]
    ) -> SpanMap:
        """`entries[i]`, the span of `names[i]`: a Span, a tuple of the
        arguments of `make` that gives it, or a table path (a tuple of
        str and int), for `make(path, names[i])`."""
        spans = cls.__new__(cls)
        spans._index, spans._make = _shared_index(names), make
        spans._spans = tuple(entries)  # a list (see _span) once one is made
        return spans

    def __getitem__(self, name: str) -> Span:
        return self._span(self._index[name])

    def get(self, name: str, default: Any = None) -> Any:
        position = self._index.get(name)
        return default if position is None else self._span(position)

    def _span(self, position: int) -> Span:
        found = self._spans[position]
        if type(found) is tuple:  # made now, and kept
            if type(self._spans) is tuple:
                self._spans = list(self._spans)
            if not found or type(found[0]) is not tuple:  # a table path
                found = (found, list(self._index)[position])
            found = self._spans[position] = self._make(*found)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._spans)


def _shared_index(names: tuple[str, ...]) -> dict[str, int]:
    index = SpanMap._indexes.get(names)
    if index is None:
        index = {name: position for position, name in enumerate(names)}
        if len(SpanMap._indexes) < SpanMap.SHARED_INDEXES:
            SpanMap._indexes[names] = index
    return index
