"""TOML quoting: every writer of TOML (fleet.lock, `fleetc convert`) quotes
keys and strings here, so a value reads back as exactly what was written."""

from __future__ import annotations

import re

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
# Quotes, backslashes and control characters (TOML forbids them raw).
_TO_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def string(text: str) -> str:
    """A TOML basic string that reads back as exactly `text`."""
    return '"' + _TO_ESCAPE.sub(_escape, text) + '"'


def key(name: str) -> str:
    """A key: bare where TOML allows it, else quoted."""
    return name if _BARE_KEY.match(name) else string(name)


def _escape(found: re.Match) -> str:
    char = found.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04x}"
