"""tmpfiles.d(5) lines: Type Path Mode User Group Age Argument."""

from __future__ import annotations

import re
from functools import lru_cache

_NEEDS_QUOTES = re.compile(r"[\s\"'\\]")
_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def tmpfiles_line(kind: str, path: str, *fields: str) -> str:
    *middle, last = fields
    return " ".join([kind, field(path), *_fields(tuple(middle)), argument(last)])


@lru_cache(maxsize=64)
def _fields(texts: tuple[str, ...]) -> tuple[str, ...]:
    """Mode, user, group and age: fleetc's own few, the same line after line
    (20,000 lines at 10,000 VMs)."""
    return tuple(field(text) for text in texts)


def field(text: str) -> str:
    """One field: `%` starts a specifier (%m is the machine id), so it is doubled;
    whitespace and quotes would split or end the field, so such text is quoted."""
    text = text.replace("%", "%%")
    if not _NEEDS_QUOTES.search(text):
        return text
    return '"' + "".join(_C_ESCAPES.get(c, _control(c)) for c in text) + '"'


def _control(char: str) -> str:
    return f"\\x{ord(char):02x}" if ord(char) < 0x20 else char


def argument(text: str) -> str:
    """The last field is the rest of the line, taken as written: quotes would
    become part of it (systemd-tmpfiles made `L+ ... "/a b"` a link to `"/a b"`,
    quotes included). Only specifiers and C escapes are read in it."""
    text = text.replace("%", "%%")
    if not _ESCAPED_IN_ARGUMENT.search(text):
        return text  # most paths: nothing to escape, no walk over each character
    return "".join(_ARGUMENT_ESCAPES.get(c, _control(c)) for c in text)


_ARGUMENT_ESCAPES = {k: v for k, v in _C_ESCAPES.items() if k != '"'}
# What argument() changes besides `%`: a backslash and control characters.
_ESCAPED_IN_ARGUMENT = re.compile(r"[\\\x00-\x1f]")
