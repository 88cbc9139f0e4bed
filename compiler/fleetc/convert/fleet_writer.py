"""The model as a .fleet file: one statement a line, VMs inside their host.

Spellings, positional values and quoting come from frontend/dsl_words, the
module the DSL reader uses, so what is written here reads back unchanged.
Values are always written after their key word (`interface lan ipv4 ...`),
never by their shape alone: that is a shorthand for people, not a canonical form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..frontend.dsl import words
from ..frontend import schema
from ..frontend.schema import Key
from ..core.model import Fleet, ModuleRef
from .tables import Table, document, module_text

INDENT = "  "
_INT = re.compile(r"[+-]?[0-9]+\Z")


@dataclass
class _Nesting:
    """Tables written inside another's block (VMs in their host's)."""

    # id(parent table) -> (key, field the block implies, table)
    inside: dict[int, list[tuple[Key, str, Table]]] = field(default_factory=dict)
    # top-level key -> the tables left at the top level
    outside: dict[Key, tuple[Table, ...]] = field(default_factory=dict)


def to_fleet(fleet: Fleet) -> str:
    top = document(fleet)
    nesting = _nest(dict(top))
    blocks = [
        _statement(key, table, 0, nesting)
        for key, tables in top
        for table in nesting.outside.get(key, tables)
    ]
    return "\n\n".join("\n".join(lines) for lines in blocks) + "\n"


def _nest(top: dict[Key, tuple[Table, ...]]) -> _Nesting:
    nesting = _Nesting()
    for section, nested in words.NESTED.items():
        parents = top.get(_top_key(section), ())
        for name, implied in nested:
            key = schema.DOCUMENT.key(name)
            nesting.outside[key] = _split(
                parents, top.get(key, ()), key, implied, nesting
            )
    return nesting


def _split(parents, children, key: Key, implied: str, nesting: _Nesting) -> tuple:
    """Nest children while they keep their parents' order; return the rest.

    The reader lists nested VMs host by host, then the top-level ones: nesting
    only such a prefix keeps the model's order of VMs exactly, and a VM of an
    unknown host stays at the top level.
    """
    order: dict[str, int] = {}
    for index, parent in enumerate(parents):
        order.setdefault(parent.name, index)
    last = -1
    for count, child in enumerate(children):
        position = order.get(child.value(implied))
        if position is None or position < last:
            return children[count:]
        last = position
        inside = nesting.inside.setdefault(id(parents[position]), [])
        inside.append((key, implied, child))
    return ()


def _top_key(section: schema.Section) -> Key:
    return next(key for key in schema.DOCUMENT.keys if key.section is section)


def _statement(
    key: Key, table: Table, depth: int, nesting: _Nesting, implied: str = ""
) -> list[str]:
    header, rest = _header(key, table, implied)
    body = [line for k, value in rest for line in _value_lines(k, value, depth + 1)]
    for child_key, children in table.children:
        for child in children:
            body += _statement(child_key, child, depth + 1, nesting)
    for child_key, field_name, child in nesting.inside.get(id(table), ()):
        body += [""] + _statement(child_key, child, depth + 1, nesting, field_name)
    indent = INDENT * depth
    if not body:
        return [indent + " ".join(header)]
    return [indent + " ".join(header) + " {"] + body + [indent + "}"]


def _header(key: Key, table: Table, implied: str) -> tuple[list[str], list]:
    """The statement's line, and the values left for its block."""
    header = [words.statement_word(key)]
    rest = [(k, v) for k, v in table.values if k.name != implied]
    if table.name is not None:
        header.append(words.literal(table.name))
    positional = words.positional(table.section)
    if key.kind.name == "tables" or len(positional) == 1:
        header += [_scalar(k, v) for k, v in rest if k in positional]
        rest = [(k, v) for k, v in rest if k not in positional]
    if key.kind.name == "tables":
        return _one_line(header, rest)
    return header, rest


def _one_line(header: list[str], rest: list) -> tuple[list[str], list]:
    """A list element's scalars go on its line: `share srv /srv -> /data proto 9p`."""
    for k, v in rest:
        if k.name == words.ARROW_KEY:
            header += ["->", _scalar(k, v)]
    for k, v in rest:
        if _is_scalar(k) and k.name != words.ARROW_KEY:
            header += [words.word(k), _scalar(k, v)]
    return header, [(k, v) for k, v in rest if not _is_scalar(k)]


def _value_lines(key: Key, value: Any, depth: int) -> list[str]:
    indent = INDENT * depth
    if _is_scalar(key):
        return [f"{indent}{words.word(key)} {_scalar(key, value)}"]
    if key.kind.name == "modules":
        word = words.statement_word(key)
        return [f"{indent}{word} {_module(module)}" for module in value]
    if key.kind.name in schema.FREE_FORM:
        return [f"{indent}{words.word(key)} {_free(name, v)}" for name, v in value]
    items = "".join(" " + words.literal(item) for item in value)
    return [f"{indent}{words.word(key)}{items}"]


def _scalar(key: Key, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    # A string where a number or boolean belongs must stay a string.
    if key.kind.name != "str" and (_INT.match(value) or value in ("true", "false")):
        return words.quoted(value)
    return words.literal(value)


def _free(name: str, value: Any) -> str:
    """`KEY VALUE` or `KEY [ A B ]` of a free-form table (meta, follows)."""
    if isinstance(value, tuple):
        items = " ".join(_free_scalar(item) for item in value)
        return f"{words.literal(name)} [ {items} ]".replace("[  ]", "[ ]")
    return f"{words.literal(name)} {_free_scalar(value)}"


# Any key that is not a string: a string reading like a number stays quoted.
_TYPED = Key("meta", schema.INT)


def _free_scalar(value: Any) -> str:
    # A string that reads like a bracket stays a string too.
    return words.quoted(value) if value in ("[", "]") else _scalar(_TYPED, value)


def _module(module: ModuleRef) -> str:
    return words.literal(module_text(module, dot_slash=True))


def _is_scalar(key: Key) -> bool:
    return key.section is None and key.kind.element is None
