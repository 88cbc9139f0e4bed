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
    in a Nix string at all; frontends reject it before it gets here.
    """
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
    # Dispatch on the exact type: this runs millions of times for a large fleet,
    # and isinstance checks against typing ABCs are slow.
    kind = type(value)
    if kind is str:  # most values are strings: one call, not two
        if "\n" in value:
            return indented(value, indent) or string(value)
        return string(value)
    renderer = _RENDERERS.get(kind)
    if renderer is not None:
        return renderer(value, indent)
    if isinstance(value, Mapping):
        return _attrs(value, indent)
    raise TypeError(f"cannot render {type(value).__name__} as Nix")


def _render(value: Any, indent: int) -> str:
    """render(), without its call for a one-line string (most values)."""
    if type(value) is str and "\n" not in value and "\0" not in value:
        return f'"{_ESCAPE.sub(_escaped, value)}"'
    return render(value, indent)


def _list(items: list | tuple, indent: int) -> str:
    if not items:
        return "[ ]"
    if len(items) == 1 and type(items[0]) not in _COMPOUND:
        single = render(items[0], indent)
        # nixfmt keeps a one-element list on its line only when the line fits.
        if len(single) + 2 * indent <= _ONE_LINE and "\n" not in single:
            return f"[ {single} ]"
    inner = INDENT * (indent + 1)
    # join() of a list comprehension, not of a generator: join makes a list of
    # a generator anyway, and resuming one per element costs more.
    body = "".join([f"{inner}{_render(item, indent + 1)}\n" for item in items])
    return f"[\n{body}{INDENT * indent}]"


def _attrs(attrs: Mapping, indent: int) -> str:
    """Keys are strings (one attribute) or tuples (a dotted attribute path)."""
    if not attrs:
        return "{ }"
    inner = INDENT * (indent + 1)
    body = "".join(
        [
            (value.lines(inner) if type(value) is Commented else "")
            + f"{inner}{_key(key)} = {_render(value, indent + 1)};\n"
            for key, value in attrs.items()
        ]
    )
    return f"{{\n{body}{INDENT * indent}}}"


def attribute(key: str | tuple[str, ...], value: Any, indent: int) -> str:
    """One `key = value;` line (with its `#` lines) at `indent`, as in a set."""
    inner = INDENT * indent
    why = value.lines(inner) if type(value) is Commented else ""
    return f"{why}{inner}{_key(key)} = {render(value, indent)};\n"


_COMPOUND = {dict, list, tuple}
_RENDERERS = {
    Expr: lambda value, _: value.text,
    Commented: lambda value, indent: render(value.value, indent),
    bool: lambda value, _: "true" if value else "false",
    type(None): lambda value, _: "null",
    int: lambda value, _: str(value),
    dict: _attrs,
    list: _list,
    tuple: _list,
}


@lru_cache(maxsize=1 << 16)
def _key(key: str | tuple[str, ...]) -> str:
    return attr_path(*key) if isinstance(key, tuple) else attr_name(key)
