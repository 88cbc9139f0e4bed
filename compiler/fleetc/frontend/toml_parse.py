"""TOML text into a document: tomli's, the reference, errors included.

A large text goes through rtoml first (a Rust parser, 3x faster; an optional
dependency: fleetc works without it), and its document is used only where it
is tomli's: the same keys in the same order, the same values of the same
types (tests/frontend/test_toml_parsers.py). Anything else, a refusal first
of all, is parsed again by tomli, whose errors the diagnostics quote.
"""

from __future__ import annotations

import re

import tomli


def parse_toml(text: str) -> dict:
    """`tomli.loads(text)`, its errors included: by rtoml (2-3x faster)
    when that gives tomli's document."""
    if len(text) >= RTOML_FROM:
        document = by_rtoml(text)
        if document is not None:
            return document
    return tomli.loads(text)


# Characters: below this, importing rtoml costs more than it saves.
RTOML_FROM = 50_000


def by_rtoml(text: str) -> dict | None:
    """rtoml's document where it is tomli's, else None (tomli then parses).

    What rtoml refuses, tomli refuses too and words the diagnostic (its
    message and place). Where both parse, tomli's test corpus and
    test_toml_parsers.py find the documents the same but for four things,
    left to tomli: a carriage return (tomli folds CRLF to LF in multi-line
    strings, rtoml keeps it), dates and times (rtoml's own tzinfo type), a
    table named by a header after a header below it made it (rtoml moves it
    there, tomli keeps it where it was made); and inline tables, where rtoml
    accepts a newline anywhere, tomli not before `=` (telling the two apart
    needs the strings taken out first, which costs what rtoml saves). So
    fleet.lock, which has none, is what rtoml reads: 0.06 s instead of 0.12
    s at 10,000 VMs; a fleet file, with inline tables mostly, goes to tomli.
    """
    if "\r" in text or "{" in text or not _tables_in_order(text):
        return None
    if not _tomli_reads_toml_1_1():
        return None
    try:
        import rtoml
    except ImportError:  # optional: no wheel for this platform
        return None
    try:
        document = rtoml.loads(text)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a parse error, or a panic in the Rust code
        return None
    return document if _plain(document) else None


def _tomli_reads_toml_1_1() -> bool:
    """rtoml reads TOML 1.1 (`\\e` and `\\x41` in strings, ...), as tomli
    does from 2.4 on; a tomli before reads TOML 1.0 and must not be overruled."""
    try:
        tomli.loads('a = "\\e"')
    except tomli.TOMLDecodeError:
        return False
    return True


# A header of bare keys alone on its line (a comment may follow), and any line
# starting with `[`, each after the newline before it (the text gets one).
_HEADER = re.compile(r"\n\[\[?([A-Za-z0-9_.-]+)\]\]?[ \t]*(?:#[^\n]*)?(?=\n|\Z)")
_BRACKET_LINE = re.compile(r"\n[ \t]*\[")


def _tables_in_order(text: str) -> bool:
    """No header names a table an earlier header made as one of its parents
    (`[a.b]`, then `[a]`). A line starting with `[` that is not a header of
    bare keys (quoted keys, blanks inside; an array's line, a line of a
    multi-line string) counts as out of order: 6 ms for a 10,000-VM fleet."""
    lines = "\n" + text
    headers = _HEADER.findall(lines)
    if len(headers) != len(_BRACKET_LINE.findall(lines)):
        return False
    made: set[str] = set()  # every table an earlier header made as a parent
    for header in headers:
        if header in made:
            return False
        parent = header.rpartition(".")[0]
        while parent and parent not in made:  # its parents are in made too
            made.add(parent)
            parent = parent.rpartition(".")[0]
    return True


_SCALARS = (str, int, float, bool)


def _plain(document: dict) -> bool:
    """Only tables, arrays, strings, numbers and booleans: no date or time."""
    stack: list = [document]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind not in _SCALARS:
            return False
    return True
