"""Rendering Python values as Nix source. All escaping of Nix lives here.

Layout follows nixfmt (RFC 166 style): two-space indent; lists and attribute sets
with more than one element are expanded one element a line; a list or set of a
single scalar stays on one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

INDENT = "  "
KEYWORDS = frozenset(
    "assert else if in inherit let or rec then with true false null".split()
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_'-]*\Z")
_PATH = re.compile(r"(\.\.?|[A-Za-z0-9._+-]+)(/[A-Za-z0-9._+-]+)+\Z")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ONE_LINE = 72
_ESCAPE = re.compile(r'[\\"$\n\r\t]')


@dataclass(frozen=True)
class Expr:
    """Nix source written by fleetc itself (never user text): emitted verbatim."""

    text: str


@dataclass(frozen=True)
class Commented:
    """A value whose attribute gets a `# why` line above it: fleetc's own
    explanation of a generated line a reviewer would otherwise ask about.
    `why` is fleetc's text, never user data (a newline starts a new `#` line)."""

    value: Any
    why: str

    def lines(self, inner: str) -> str:
        return "".join(f"{inner}# {line}\n" for line in self.why.splitlines())


def string(value: str) -> str:
    """A double-quoted Nix string that evaluates to exactly `value`.

    Every `$` is escaped, so no `${` can start an interpolation. NUL cannot occur
    in a Nix string at all; frontends reject it before it gets here. Text with
    nothing to escape (names, paths, addresses: most) skips the regex's pass.
    """
    if '"' in value or "\\" in value or "$" in value or "\n" in value:
        return _escaped_string(value)
    if "\r" in value or "\t" in value or "\0" in value:
        return _escaped_string(value)
    return f'"{value}"'


def _escaped_string(value: str) -> str:
    if "\0" in value:
        raise ValueError("NUL cannot be represented in a Nix string")
    return f'"{_ESCAPE.sub(_escaped, value)}"'


def _escaped(special: re.Match) -> str:
    return _ESCAPES[special.group()]


def indented(value: str, indent: int = 0) -> str | None:
    """`value` as an indented string (`''`, lines at `indent` + 1, the closing
    `''` at `indent`), or None where Nix's indentation stripping would change
    it: every line starting with a space, or a last line of spaces only.

    Escapes: `''` is written `'''`, `${` is written `''${`, a carriage return
    `''\\r`; a lone `'` before either escape (or before the closing `''`) is
    written `''\\'`, which no `'` before it can turn into another escape.
    """
    if "\0" in value:
        raise ValueError("NUL cannot be represented in a Nix string")
    lines = value.split("\n")
    *body, last = lines
    texts = [line for line in lines if line.strip(" ")]
    if not texts or all(line.startswith(" ") for line in texts):
        return None
    if last and not last.strip(" "):
        return None
    inner = INDENT * (indent + 1)
    written = [inner + _indented_text(line) if line else "" for line in body]
    if last:  # no newline at the end: the string closes on its last line
        return "''\n" + "\n".join(written + [inner + _indented_text(last, True)]) + "''"
    return "''\n" + "".join(line + "\n" for line in written) + INDENT * indent + "''"


def _indented_text(line: str, closes: bool = False) -> str:
    """One line's text in an indented string; `closes`: `''` follows it."""
    out = []
    at, end = 0, len(line)
    while at < end:
        char = line[at]
        if char == "'" and line.startswith("''", at):
            out.append("'''")
            at += 2
            continue
        if char == "'":
            # A lone quote: the escape after it, or the closing `''`, would
            # otherwise start with it.
            escape = line.startswith(("${", "\r"), at + 1) or (closes and at + 1 == end)
            out.append("''\\'" if escape else "'")
        elif char == "$" and line.startswith("${", at):
            out.append("''$")
        elif char == "\r":
            out.append("''\\r")
        else:
            out.append(char)
        at += 1
    return "".join(out)


def interpolated(*parts: str | Expr) -> Expr:
    """A string mixing escaped text with interpolations of fleetc's own expressions."""
    body = "".join(
        f"${{{p.text}}}" if isinstance(p, Expr) else string(p)[1:-1] for p in parts
    )
    return Expr(f'"{body}"')


@lru_cache(maxsize=1 << 16)
def attr_name(name: str) -> str:
    """An attribute name: bare where Nix allows it, else a quoted string."""
    if _IDENTIFIER.match(name) and name not in KEYWORDS:
        return name
    return string(name)


def attr_path(*names: str) -> str:
    return ".".join(attr_name(n) for n in names)


def path(relative: str) -> Expr:
    """A path relative to the file that contains it (`relative` uses `/`)."""
    if not relative.startswith(("./", "../")):
        relative = "./" + relative
    if _PATH.match(relative):
        return Expr(relative)
    # A path literal cannot hold spaces and the like: append them as a string.
    rest = relative.removeprefix("./")
    ups = 0
    while rest.startswith("../"):
        rest, ups = rest[3:], ups + 1
    base = "./" + "/".join([".."] * ups) if ups else "./."
    return Expr(f"({base} + {string('/' + rest)})")


def render(value: Any, indent: int = 0) -> str:
    """Nix source for a value; nested lines are indented `indent` levels deeper."""
    out: list[str] = []
    _write(value, indent, out)
    return "".join(out)


# One pass over a value, appending its pieces to `out`: a call for each list
# and attribute set, none for a one-line string or a number in them (most of
# the 400,000 values at 10,000 VMs), and no set's text copied into its
# parent's. Dispatch is on the exact type: isinstance against typing's ABCs is
# slow. tests/core/test_emit_fast_paths.py holds the renderer it replaced.


def _write(value: Any, indent: int, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(_text(value, indent))
    elif kind is dict:
        _attrs(value, indent, out)
    elif kind is list or kind is tuple:
        _list(value, indent, out)
    elif kind is Commented:  # its comment goes above its attribute, not here
        _write(value.value, indent, out)
    elif kind in _SCALARS:
        out.append(_SCALARS[kind](value))
    elif isinstance(value, Mapping):
        _attrs(value, indent, out)
    else:
        raise TypeError(f"cannot render {kind.__name__} as Nix")


def _text(value: str, indent: int) -> str:
    if "\n" in value:
        return indented(value, indent) or string(value)
    return string(value)


def _list(items: list | tuple, indent: int, out: list[str]) -> None:
    if not items:
        out.append("[ ]")
        return
    if len(items) == 1 and type(items[0]) not in _COMPOUND:
        single = render(items[0], indent)
        # nixfmt keeps a one-element list on its line only when the line fits.
        if len(single) + 2 * indent <= _ONE_LINE and "\n" not in single:
            out.append(f"[ {single} ]")
            return
    inner = INDENT * (indent + 1)
    out.append("[\n")
    for item in items:
        if type(item) is str and "\n" not in item:
            out.append(f"{inner}{string(item)}\n")
        else:
            out.append(inner)
            _write(item, indent + 1, out)
            out.append("\n")
    out.append(INDENT * indent + "]")


def _attrs(attrs: Mapping, indent: int, out: list[str]) -> None:
    """Keys are strings (one attribute) or tuples (a dotted attribute path)."""
    if not attrs:
        out.append("{ }")
        return
    inner = INDENT * (indent + 1)
    out.append("{\n")
    for key, value in attrs.items():
        kind = type(value)
        if kind is str and "\n" not in value:
            out.append(f"{inner}{_key(key)} = {string(value)};\n")
        elif kind is int:
            out.append(f"{inner}{_key(key)} = {value};\n")
        else:
            if kind is Commented:
                out.append(value.lines(inner))
            out.append(f"{inner}{_key(key)} = ")
            _write(value, indent + 1, out)
            out.append(";\n")
    out.append(INDENT * indent + "}")


def attribute(key: str | tuple[str, ...], value: Any, indent: int) -> str:
    """One `key = value;` line (with its `#` lines) at `indent`, as in a set."""
    inner = INDENT * indent
    why = value.lines(inner) if type(value) is Commented else ""
    return f"{why}{inner}{_key(key)} = {render(value, indent)};\n"


_COMPOUND = {dict, list, tuple}
_SCALARS = {
    Expr: lambda value: value.text,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
    int: str,
}


@lru_cache(maxsize=1 << 16)
def _key(key: str | tuple[str, ...]) -> str:
    return attr_path(*key) if isinstance(key, tuple) else attr_name(key)
