"""The model as fleet.toml: one [table] per node, [[table]] per list element."""

from __future__ import annotations

import re
from typing import Any

from ..core.model import Fleet, ModuleRef, Pairs
from .tables import Table, document, module_text

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


def to_toml(fleet: Fleet) -> str:
    parts: list[str] = []
    for key, tables in document(fleet):
        for found in tables:
            path = [key.name] + ([found.name] if found.name is not None else [])
            _write(parts, found, path, repeated=False)
    return "\n\n".join(parts) + "\n"


def _write(parts: list[str], table: Table, path: list[str], repeated: bool) -> None:
    header = ".".join(_key(part) for part in path)
    lines = [f"[[{header}]]" if repeated else f"[{header}]"]
    lines += [f"{_key(key.name)} = {_value(value)}" for key, value in table.values]
    parts.append("\n".join(lines))
    for key, children in table.children:
        for child in children:
            below = path + [key.name] + ([child.name] if child.name is not None else [])
            _write(parts, child, below, repeated=key.kind.name == "tables")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else string(name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Pairs):
        pairs = ", ".join(f"{_key(name)} = {_value(item)}" for name, item in value)
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, ModuleRef):
        return string(module_text(value, dot_slash=False))
    return string(value)


def string(text: str) -> str:
    """A TOML basic string that reads back as exactly `text`."""
    return '"' + _TO_ESCAPE.sub(_escape, text) + '"'


def _escape(found: re.Match) -> str:
    char = found.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04x}"
