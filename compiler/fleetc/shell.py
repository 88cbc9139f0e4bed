"""Quoting for POSIX shell scripts. All shell escaping of user text lives here."""

from __future__ import annotations


def quote(value: str) -> str:
    """One shell word that expands to exactly `value`, in sh and bash alike.

    Inside single quotes nothing is special except `'` itself, which ends the
    quoted part: it is written as `'\\''` (close, escaped quote, reopen). NUL
    cannot be passed to a program at all; frontends reject it before here.
    """
    if "\0" in value:
        raise ValueError("NUL cannot be represented in a shell word")
    return "'" + value.replace("'", "'\\''") + "'"


def words(values) -> str:
    """Several quoted words separated by spaces, e.g. the body of a bash array."""
    return " ".join(quote(value) for value in values)
