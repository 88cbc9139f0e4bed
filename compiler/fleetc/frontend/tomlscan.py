"""The scan behind tomlspans: one left-to-right pass over a TOML text that
tomli has accepted, each key and each scalar value a single regular-expression
match (tomlspans.py says why). Loaded with the first span read.
"""

from __future__ import annotations

import re
from typing import Union

import tomli

# tomlspans' key paths and ranges (tomlspans imports this module, not the reverse).
Path = tuple[Union[str, int], ...]
Range = tuple[int, int]

_GAPS = r"(?:[ \t\r\n]|#[^\n]*)*"  # blanks, newlines, comments
_GAP = re.compile(_GAPS)
# Between the items of an array or inline table.
_SEPARATOR = re.compile(_GAPS + ",?" + _GAPS)
# One key (bare, "basic" or 'literal') and the character after it: "." (the key
# goes on), "=" (a value follows) or "]" (a header ends).
_KEY = re.compile(
    r"""[ \t]*([A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')[ \t]*([.=\]])[ \t]*"""
)
# The common `key = "text"` or `key = 42`, matched whole: most pairs of a large
# fleet take this path only (the general one costs several matches). The
# lookahead rejects what only starts like it: `"""`, a date-time with a space.
_SIMPLE_PAIR = re.compile(
    r'([A-Za-z0-9_-]+)[ \t]*=[ \t]*("(?:[^"\\\n]|\\.)*"|[A-Za-z0-9_.:+-]+)'
    r"(?=[ \t]*(?:[#,}]|\r?\n|\Z))"
)
_SCALAR = re.compile(
    "|".join(
        (
            # A closing delimiter may follow one or two quotes of the content.
            r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"{3,5}',
            r"'''[\s\S]*?'{3,5}",
            r'"(?:[^"\\\n]|\\.)*"',
            r"'[^'\n]*'",
            # The only other value that may hold a space: a date-time written so.
            r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:\d\d)?",
            r"[^\s,\]}#]+",
        )
    )
)


def scan(text: str) -> tuple[dict, dict]:
    """Key path -> range of its key, and -> range of its value."""
    scanner = _Scanner(text)
    try:
        scanner.scan()
    except (_Malformed, IndexError, RecursionError):
        pass  # keep what was found; lookups fall back to enclosing paths
    return scanner.keys, scanner.values


class _Malformed(Exception):
    """The text is not what tomli accepted; only a bug in the scanner gets here."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.keys: dict[Path, Range] = {}
        self.values: dict[Path, Range] = {}
        # Path of each [[array of tables]] -> how many of its tables were seen.
        self.repeats: dict[Path, int] = {}

    def scan(self) -> None:
        table: Path = ()
        while self._advance(_GAP) < len(self.text):
            before = self.pos
            if self.text[before] == "[":
                table = self._header()
            else:
                self._pair(table)
            if self.pos == before:
                raise _Malformed(before)

    # -- headers ---------------------------------------------------------------

    def _header(self) -> Path:
        repeated = self.text.startswith("[[", self.pos)
        self.pos += 2 if repeated else 1
        names, closing = self._dotted_key()
        if closing != "]" or (repeated and not self._skip_char("]")):
            raise _Malformed(self.pos)
        where = (names[0][1][0], names[-1][1][1])
        path = self._repeated(names) if repeated else self._resolve(names)
        # The table's own name is the last key; the table is the whole header key.
        self.keys[path] = names[-1][1]
        self.values[path] = where
        return path

    def _repeated(self, names: list) -> Path:
        """[[x]]: the next element of the array of tables x."""
        base = self._resolve(names[:-1]) + (names[-1][0],)
        self._implicit(base, names[-1][1])
        count = self.repeats.get(base, 0)
        self.repeats[base] = count + 1
        return base + (count,)

    def _resolve(self, names: list) -> Path:
        """A header's path: an array of tables along the way means its latest table."""
        path: Path = ()
        for name, where in names:
            path += (name,)
            self._implicit(path, where)
            count = self.repeats.get(path)
            if count:
                path += (count - 1,)
        return path

    def _implicit(self, path: Path, where: Range) -> None:
        """A table created by naming it on the way to another: first mention wins."""
        self.keys.setdefault(path, where)
        self.values.setdefault(path, where)

    # -- key/value pairs ---------------------------------------------------------

    def _pair(self, table: Path) -> None:
        simple = _SIMPLE_PAIR.match(self.text, self.pos)
        if simple:
            self._simple_pair(table, simple)
            return
        names, separator = self._dotted_key()
        if separator != "=":
            raise _Malformed(self.pos)
        path = table
        for name, where in names[:-1]:
            path += (name,)
            self._implicit(path, where)
        path += (names[-1][0],)
        self.keys[path] = names[-1][1]
        self._value(path)

    def _simple_pair(self, table: Path, found: re.Match) -> None:
        path = table + (found.group(1),)
        self.keys[path] = found.span(1)
        self.values[path] = found.span(2)
        self.pos = found.end()

    def _dotted_key(self) -> tuple[list[tuple[str, Range]], str]:
        """The names of a dotted key, each with its range, and the character after it."""
        names = []
        separator = "."
        while separator == ".":
            found = self._advance_match(_KEY)
            names.append((_key_name(found.group(1)), found.span(1)))
            separator = found.group(2)
        return names, separator

    # -- values ------------------------------------------------------------------

    def _value(self, path: Path) -> None:
        start = self.pos
        first = self.text[start]
        if first == "[":
            self._array(path)
        elif first == "{":
            self._inline_table(path)
        else:
            self._advance_match(_SCALAR)
        self.values[path] = (start, self.pos)

    def _array(self, path: Path) -> None:
        self.pos += 1
        index = 0
        while not self._at_closing("]"):
            self._value(path + (index,))
            index += 1

    def _inline_table(self, path: Path) -> None:
        # TOML 1.1 (which tomli accepts) allows newlines and comments in here too.
        self.pos += 1
        while not self._at_closing("}"):
            self._pair(path)

    def _at_closing(self, closing: str) -> bool:
        self._advance(_SEPARATOR)
        return self._skip_char(closing)

    # -- tokens ------------------------------------------------------------------

    def _advance(self, pattern: re.Pattern) -> int:
        self.pos = pattern.match(self.text, self.pos).end()
        return self.pos

    def _advance_match(self, pattern: re.Pattern) -> re.Match:
        found = pattern.match(self.text, self.pos)
        if found is None or found.end() == self.pos:
            raise _Malformed(self.pos)
        self.pos = found.end()
        return found

    def _skip_char(self, char: str) -> bool:
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False


def _key_name(token: str) -> str:
    quote = token[0]
    if quote == "'" or (quote == '"' and "\\" not in token):
        return token[1:-1]
    if quote == '"':
        # Escapes are rare in keys: let tomli decode them exactly as in the document.
        return tomli.loads(f"k = {token}")["k"]
    return token
