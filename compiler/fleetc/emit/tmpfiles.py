"""tmpfiles.d(5) lines: Type Path Mode User Group Age Argument."""

from __future__ import annotations

import re

_NEEDS_QUOTES = re.compile(r"[\s\"'\\]")
_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def tmpfiles_line(kind: str, path: str, *fields: str) -> str:
    return " ".join([kind, field(path), *(field(f) for f in fields)])


def field(text: str) -> str:
    """One field: `%` starts a specifier (%m is the machine id), so it is doubled;
    whitespace and quotes would split or end the field, so such text is quoted."""
    text = text.replace("%", "%%")
    if not _NEEDS_QUOTES.search(text):
        return text
    return '"' + "".join(_C_ESCAPES.get(c, _control(c)) for c in text) + '"'


def _control(char: str) -> str:
    return f"\\x{ord(char):02x}" if ord(char) < 0x20 else char
