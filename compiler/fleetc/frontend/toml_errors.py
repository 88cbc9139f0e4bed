"""tomli's syntax errors as a fleet's author reads them.

tomli names a key path by Python's repr of a tuple (`cannot declare ('vms',
'web') twice`); users wrote `[vms.web]`. A table declared twice is located at
its second header, and names where the first one is.
"""

from __future__ import annotations

import ast
import re

import tomli

from ..core import toml_text
from ..core.diagnostics import Diagnostic, error
from ..core.source import Source, Span

_STRING = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\""""
_TUPLE = re.compile(rf"\((?:{_STRING})(?:, (?:{_STRING}))*,?\)")
_TWICE = re.compile(r"Cannot declare (\(.*\)) twice\Z", re.DOTALL)
_HEADER = re.compile(r"[ \t]*\[(?!\[)")
# A header, quoted keys and all: `[vms."a]b"]`.
_WHOLE_HEADER = re.compile(rf"\[(?:[^\]\"']|{_STRING})*\]")


def dotted(path: tuple[str, ...]) -> str:
    return ".".join(toml_text.key(part) for part in path)


def with_dotted_keys(message: str) -> str:
    """Every tuple of strings in tomli's message as a dotted key."""
    return _TUPLE.sub(lambda found: dotted(ast.literal_eval(found.group())), message)


def declared_twice(source: Source, message: str, at: Span) -> Diagnostic | None:
    """F001 at the second [table] header, labelled with the first; None for
    any other syntax error."""
    found = _TWICE.match(message)
    if found is None:
        return None
    path = ast.literal_eval(found.group(1))
    line = at.line_col[0]
    second = _header_span(source, line) or at
    first = next((s for s in _headers(source, path) if s.line_col[0] != line), None)
    return _twice(dotted(path), second, first)


def _twice(name: str, second: Span, first: Span | None) -> Diagnostic:
    if first is None:  # an inline table or a dotted key declared it
        message = f"invalid TOML: [{name}] is declared again: a value above holds it"
        help = f"write [{name}]'s keys where it was first given"
        return error("F001", message, second, help=help)
    message = f"invalid TOML: [{name}] is declared twice"
    help = f"write the table once: move these keys into the first [{name}]"
    label = f"first declared at {first.location()}"
    return error("F001", message, second, label=label, help=help)


def _headers(source: Source, path: tuple[str, ...]):
    """Spans of the [table] headers that declare `path`, in order."""
    for number in range(1, len(source.line_starts) + 1):
        if _header_path(source.line_text(number)) == path:
            yield _header_span(source, number)


def _header_path(line: str) -> tuple[str, ...] | None:
    if not _HEADER.match(line):
        return None
    try:
        table = tomli.loads(line)
    except tomli.TOMLDecodeError:
        return None
    path: tuple[str, ...] = ()
    while isinstance(table, dict) and len(table) == 1:
        (key, table), *_ = table.items()
        path += (key,)
    return path


def _header_span(source: Source, line: int) -> Span | None:
    """The header on `line`, from `[` to its `]`."""
    text = source.line_text(line)
    header = _WHOLE_HEADER.search(text) if _HEADER.match(text) else None
    if header is None:
        return None
    start = source.line_starts[line - 1]
    return Span(source, start + header.start(), start + header.end())
