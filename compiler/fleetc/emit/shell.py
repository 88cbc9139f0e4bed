"""Quoting for bash scripts. All shell escaping of user text lives here."""

from __future__ import annotations

import re

# Inside single quotes only `'` is special to the shell. `$`, backquote, `~`
# and a backslash before the closing quote are not, but shellcheck flags them
# there (SC2016, SC2088, SC1003) as likely mistakes; written outside the
# quotes with a backslash they mean the same, and generated scripts stay
# shellcheck-clean.
_OUTSIDE = re.compile(r"['$`~\\]")


def quote(value: str) -> str:
    """One shell word that expands to exactly `value`, in sh and bash alike."""
    if "\0" in value:
        raise ValueError("NUL cannot be represented in a shell word")
    parts, start = [], 0
    for special in _OUTSIDE.finditer(value):
        parts += [_quoted(value[start : special.start()]), "\\" + special.group()]
        start = special.end()
    parts.append(_quoted(value[start:]))
    return "".join(parts) or "''"


def _quoted(text: str) -> str:
    return f"'{text}'" if text else ""


def words(values) -> str:
    """Several quoted words separated by spaces, e.g. the body of a bash array."""
    return " ".join(quote(value) for value in values)
