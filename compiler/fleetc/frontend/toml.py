"""The TOML frontend: fleet.toml text into the model (contract section 1)."""

from __future__ import annotations

import re

import tomli

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet
from ..core.source import Source, Span
from .document import read_document
from .tomlspans import index_spans


def load_toml(source: Source) -> tuple[Fleet | None, list[Diagnostic]]:
    """The model (None when the input is unusable) and every problem found reading it."""
    try:
        data = tomli.loads(source.text)
    except tomli.TOMLDecodeError as problem:
        return None, [_syntax_error(source, problem)]
    except RecursionError:
        return None, [_too_deep(source)]
    except ValueError:
        # tomli leaves Python's int() to refuse integers of over 4,300 digits.
        digits = _LONGEST_DIGITS.search(source.text)
        if digits is None:
            raise
        return None, [_too_long_integer(source, digits.span())]
    return read_document(data, index_spans(source), source.name)


def _syntax_error(source: Source, problem: tomli.TOMLDecodeError) -> Diagnostic:
    from .toml_errors import declared_twice, with_dotted_keys  # on a bad file only

    message = getattr(problem, "msg", None) or str(problem)
    span = decode_error_span(source, problem)
    twice = declared_twice(source, message, span)
    if twice is not None:
        return twice
    message = with_dotted_keys(message)
    return error("F001", f"invalid TOML: {message[:1].lower()}{message[1:]}", span)


def decode_error_span(source: Source, problem: tomli.TOMLDecodeError) -> Span:
    """Where tomli stopped, as a one-character span (fleet.toml and fleet.lock)."""
    offset = _offset(source, problem)
    return Span(source, offset, min(offset + 1, len(source.text)))


def _offset(source: Source, problem: tomli.TOMLDecodeError) -> int:
    """tomli counts in its own copy of the text (CRLF folded to LF): go by line:col."""
    line = getattr(problem, "lineno", None)
    column = getattr(problem, "colno", None)
    if line is None or column is None:
        return min(getattr(problem, "pos", 0) or 0, len(source.text))
    starts = source.line_starts
    start = starts[min(line, len(starts)) - 1]
    return min(start + column - 1, len(source.text))


def _too_deep(source: Source) -> Diagnostic:
    return error(
        "F001",
        "invalid TOML: arrays or tables nested too deeply",
        Span(source, 0, 0),
        help="a fleet file needs only a few levels of nesting",
    )


_LONGEST_DIGITS = re.compile(r"[0-9][0-9_]{4000,}")


def _too_long_integer(source: Source, where: tuple[int, int]) -> Diagnostic:
    return error(
        "F008",
        "an integer with thousands of digits does not fit in a Nix integer",
        Span(source, *where),
        help="Nix integers are signed 64 bits: at most 9223372036854775807",
    )
