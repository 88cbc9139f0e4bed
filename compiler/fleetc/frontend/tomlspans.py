"""Where each key and value of a TOML document was written.

tomli returns plain values without positions, so this module scans the same
text once more and maps every key path, e.g. ("vms", "web", "interfaces", 0,
"ipv4"), to the offsets of its key and of its value. Array elements (and the
tables of a repeated [[header]]) are addressed by integer indices, the same way
for inline tables as for headers.

The text has already been accepted by tomli, so the scanner only needs to find
token boundaries, never to validate. It is one left-to-right pass in which each
key and each scalar value is a single regular-expression match (a Python step
per character would be far too slow for a 10,000-VM fleet). A path that was
never recorded falls back to the nearest enclosing one, so lookups never fail.
"""

from __future__ import annotations

from typing import Union

from ..core.source import Source, Span

PathPart = Union[str, int]
Path = tuple[PathPart, ...]
Range = tuple[int, int]


class SpanIndex:
    """Spans of keys and values by key path; lookups fall back to the enclosing path.

    Spans are deferred (see `Span.deferred`): a range is looked up only when a
    span's offsets are read, which most of a large fleet's spans never are.
    """

    def __init__(self, source: Source, keys: dict, values: dict) -> None:
        self.source = source
        self._keys = keys
        self._values = values
        # Bound once: a bound method made per span would double the objects
        # that a 10,000-VM fleet keeps alive.
        self._find_key = self._key_range
        self._find_value = self._value_range

    def key(self, path: Path) -> Span:
        """The key as written (in a header, its last part; an array element: its value)."""
        return Span.deferred(self.source, self._find_key, path)

    def value(self, path: Path) -> Span:
        """The value: a scalar, an array, an inline table, or a table's header key."""
        return Span.deferred(self.source, self._find_value, path)

    def value_in(self, table: Path, part: PathPart) -> Span:
        """`value(table + (part,))`, sharing `table` (see `Span.deferred`)."""
        return Span.deferred(self.source, self._find_value, table, part)

    def _key_range(self, path: Path) -> Range:
        keys, values = self._ranges()
        return keys.get(path) or values.get(path) or self._enclosing(path)

    def _value_range(self, path: Path) -> Range:
        keys, values = self._ranges()
        return values.get(path) or keys.get(path) or self._enclosing(path)

    def _enclosing(self, path: Path) -> Range:
        return self._value_range(path[:-1]) if path else (0, 0)

    def _ranges(self) -> tuple[dict, dict]:
        return self._keys, self._values


class _ScanningIndex(SpanIndex):
    """A TOML text's index, scanned when the first range is looked up: a fleet
    without diagnostics never pays for the scan."""

    def __init__(self, source: Source) -> None:
        super().__init__(source, {}, {})
        self._scanned = False

    def _ranges(self) -> tuple[dict, dict]:
        if not self._scanned:
            self._keys, self._values = _scan(self.source.text)
            self._scanned = True
        return self._keys, self._values


def index_spans(source: Source) -> SpanIndex:
    return _ScanningIndex(source)


def _scan(text: str) -> tuple[dict, dict]:
    """The scanner loads with the first span read (tomlscan.py): its patterns
    were 0.7 ms of every start-up, and most checks read no span."""
    from .tomlscan import scan

    return scan(text)
