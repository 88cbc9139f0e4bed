"""How the DSL spells the schema: key words, singulars, shapes and literals.

The DSL keeps no list of keys of its own. Every word is derived from
frontend/schema.py: `machine_id` is written `machine-id`, and a key holding a
list of tables or modules is also written by its singular (`interface`,
`module`, `vm`), one element a statement. A key added to the schema can
therefore be written in a .fleet file at once. The writer (convert/) uses the
same spellings and quoting, so what it writes reads back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .. import schema
from ..schema import Key, Section

# Kinds whose statements add one element each, and so may repeat.
REPEATABLE = frozenset(
    {"strs", "modules", "tables", "named", "meta", "follows", "options"}
)
# Kinds also spelt by their singular (`module`, `interface`, `vm`).
SINGULAR = frozenset({"modules", "tables", "named"})
SCALAR = frozenset({"str", "int", "bool", "address", "str_or_false"})
# Kinds whose value may be the word `false` (`ipv4 false`, `machine-id false`).
TAKES_FALSE = frozenset({"bool", "address", "str_or_false"})

# `share srv /srv/web -> /srv`: the arrow gives the mount point.
ARROW_KEY = "mount"


@dataclass(frozen=True)
class Entry:
    """What a word means in a block: a key, and the table its value goes into."""

    key: Key
    # The section whose table takes the value: not the block's own for VMs,
    # which are written inside their host but belong to the fleet's `vms`.
    owner: Section
    # A field of the new table that takes the enclosing table's name (`host`).
    implied: str | None = None


# VMs nest inside their host: `vm` in a host block is an entry of the
# document's `vms` whose `host` is that host.
NESTED: dict[Section, tuple[tuple[str, str], ...]] = {
    schema.HOST: (("vms", "host"),),
}


def word(key: Key) -> str:
    return key.name.replace("_", "-")


def spellings(key: Key) -> tuple[str, ...]:
    """The words that name a key: singular first where it has one."""
    plural = word(key)
    if key.kind.name in SINGULAR and plural.endswith("s"):
        return plural[:-1], plural
    return (plural,)


def statement_word(key: Key) -> str:
    return spellings(key)[0]


@cache
def vocabulary(section: Section) -> dict[str, Entry]:
    words = {}
    for key in section.keys:
        words.update(dict.fromkeys(spellings(key), Entry(key, section)))
    for name, implied in NESTED.get(section, ()):
        key = schema.DOCUMENT.key(name)
        words.update(
            dict.fromkeys(spellings(key), Entry(key, schema.DOCUMENT, implied))
        )
    return words


@cache
def suggestions(section: Section) -> tuple[str, ...]:
    """One word per key, the way statements are usually written."""
    keys = {entry.key: None for entry in vocabulary(section).values()}
    return tuple(statement_word(key) for key in keys)


@cache
def positional(section: Section) -> tuple[Key, ...]:
    """Keys written as plain values after the statement's word, in order.

    A named table takes its name; any other table its required keys (but the
    mount point, which follows `->`): `share TAG SOURCE -> MOUNT`.
    """
    if section.name_field:
        return ()
    return tuple(key for key in section.required if key.name != ARROW_KEY)


def usage(section: Section, head: str) -> str:
    """How a statement of this section is written, e.g. `share TAG SOURCE -> MOUNT`."""
    parts = [head] + ["NAME"] * bool(section.name_field)
    parts += [word(key).upper() for key in positional(section)]
    if ARROW_KEY in section.by_name and section.by_name[ARROW_KEY].required:
        parts += ["->", ARROW_KEY.upper()]
    return " ".join(parts)


# -- shapes --------------------------------------------------------------------

# A value that looks like one of these may be written without its key word,
# after a table's name or positional values: `interface lan 10.0.0.10` or
# `vm web 0123456789abcdef0123456789abcdef`. Order matters: a MAC would also
# pass for an IPv6 address. Whether it is valid is for the checks to say.
SHAPES = (
    (re.compile(r"[0-9A-Fa-f]{32}\Z"), "machine_id"),
    (re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}\Z"), "mac"),
    (re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:/[0-9]{1,2})?\Z"), "ipv4"),
    (
        re.compile(r"[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:/[0-9]{1,3})?\Z"),
        "ipv6",
    ),
)

# What a missing value should have been, where the key's kind says too little.
_PHRASES = {
    "machine_id": "a machine-id (32 hex digits)",
    "mount": "a mount point",
    "mac": "a MAC address",
    "ipv4": "an IPv4 address",
    "gateway4": "an IPv4 address",
    "ipv6": "an IPv6 address",
    "gateway6": "an IPv6 address",
}
_NETWORK_PHRASES = {"ipv4": "an IPv4 network", "ipv6": "an IPv6 network"}


def shaped_key(text: str, section: Section) -> Key | None:
    for pattern, name in SHAPES:
        if pattern.match(text):
            return section.by_name.get(name)
    return None


def expected_value(key: Key, section: Section) -> str:
    if section is schema.NETWORK and key.name in _NETWORK_PHRASES:
        return _NETWORK_PHRASES[key.name]
    if key.kind.name in ("address", "str_or_false"):
        return _PHRASES[key.name] + " or `false`" if key.name in _PHRASES else "a value"
    return _PHRASES.get(key.name) or key.kind.expected


# -- literals ------------------------------------------------------------------

# What the writer leaves unquoted: plain enough to read back as the same word.
_BARE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./:+@%=?&,~-]*\Z")
_KEYWORDS = frozenset({"true", "false"})
_TO_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_FROM_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_UNESCAPED = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def literal(text: str) -> str:
    """A value as the writer puts it: bare where that reads back the same."""
    if _BARE.match(text) and text not in _KEYWORDS:
        return text
    return quoted(text)


def quoted(text: str) -> str:
    return '"' + _TO_ESCAPE.sub(_escape, text) + '"'


def _escape(found: re.Match) -> str:
    char = found.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def unquoted(token: str) -> tuple[str, list[tuple[int, str]]]:
    """A quoted string's text, and (offset in token, problem) for each bad escape."""
    problems: list[tuple[int, str]] = []

    def decode(found: re.Match) -> str:
        escape = found.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            return _code_point(int(escape[1:], 16), found.start() + 1, problems)
        if escape in _UNESCAPED:
            return _UNESCAPED[escape]
        problems.append((found.start() + 1, f"unknown escape `\\{escape}` in a string"))
        return escape

    return _FROM_ESCAPE.sub(decode, token[1:-1]), problems


def _code_point(number: int, offset: int, problems: list) -> str:
    if number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        problems.append((offset, f"`U+{number:X}` is not a Unicode character"))
        return ""
    return chr(number)
