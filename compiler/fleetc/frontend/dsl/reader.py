"""The schema reader, with its messages spelt the way a .fleet file is written.

frontend/reader.py checks types, allowed values and required keys for both
formats; its messages quote TOML (`machine_id = "..."`). Here the same
problems are worded in the DSL's own terms (`machine-id VALUE`), with the same
codes and at the same spans.
"""

from __future__ import annotations

from typing import Any

from . import words
from .build import Table
from ..reader import Locator, Reader
from ..schema import Key, Kind
from ..tomlspans import Path

# Values to show in a fix, where the schema's (TOML) example would mislead.
_EXAMPLES = {"int": "1", "bool": "true", "address": "10.0.0.10"}


class DslReader(Reader):
    def __init__(self, locate: Locator, tables: dict[Path, Table]) -> None:
        super().__init__(locate)
        self.tables = tables

    def _wrong_type(self, name: str, kind: Kind, value: Any, path: Path) -> None:
        span = self.locate.value(path)
        written = span.source.text[span.start : span.end]
        spelt = _spelt(name)
        where = self._in(path[:-1])
        message = f"wrong type for `{spelt}`{where}: expected {kind.expected}"
        message += f", found `{written}`"
        example = _unquoted(written, kind) or _EXAMPLES.get(kind.name, kind.example)
        self._report("F003", message, span, f"write `{spelt} {example}`")

    def _missing(self, key: Key, path: Path) -> None:
        table = self.tables.get(path)
        if table is None:
            self._never_written(key, path)
            return
        spelt = words.word(key)
        message = f"missing `{spelt}` in {table.title}"
        if key in words.positional(table.section):
            fix = f"write `{words.usage(table.section, table.head)}`"
        else:
            fix = f"add `{spelt} {_EXAMPLES.get(key.kind.name, 'VALUE')}`"
        self._report("F004", message, self.locate.value(path), fix)

    def _never_written(self, key: Key, path: Path) -> None:
        """Only the fleet table is required and can be missing altogether."""
        head = path[-1] if path else "fleet"
        message = f"missing `{head}` statement"
        fix = (
            f"start the file with `{head} {words.word(key).upper()} {{`, ended by `}}`"
        )
        self._report("F004", message, self.locate.value(path), fix)

    def _not_allowed(self, key: Key, value: str, path: Path) -> None:
        spelt = words.word(key)
        choices = ", ".join(key.allowed)
        message = f"`{spelt}` must be one of {choices}, not `{value}`"
        from difflib import get_close_matches  # loaded only for a wrong word

        close = get_close_matches(value, key.allowed, n=1)
        fix = (
            f"did you mean `{close[0]}`?"
            if close
            else f"write `{spelt} {key.allowed[0]}`"
        )
        self._report("F005", message, self.locate.value(path), fix)

    def _out_of_range(self, name: str, path: Path) -> None:
        super()._out_of_range(_spelt(name), path)

    def _nul(self, name: str, path: Path, at_key: bool = False) -> None:
        super()._nul(name if at_key else _spelt(name), path, at_key)

    def _in(self, path: Path) -> str:
        table = self.tables.get(path)
        return f" in {table.title}" if table else ""


def _spelt(name: str) -> str:
    """A key name, perhaps with an index (`dns[0]`), as the DSL writes it."""
    return name.replace("_", "-")


def _unquoted(written: str, kind: Kind) -> str | None:
    """`"2"` for a number: the fix is to drop the quotes."""
    inner = written[1:-1].strip() if written.startswith('"') else None
    if inner and kind.name == "int" and inner.lstrip("+-").isdigit():
        return inner
    if inner in ("true", "false") and kind.name in words.TAKES_FALSE:
        return inner
    return None
