"""The model as a .fleet file, as compact as people write it: VMs inside their
host, a table of plain values on one line (`input disko url ... follows-nixpkgs
true`), values whose shape names their key written bare (`interface lan
10.0.0.10 02:00:00:00:00:10`, `vm web 0123...`), `ipv4 PREFIX gateway ADDRESS`.

Spellings, shapes and quoting come from frontend/dsl/words, the module the DSL
reader uses, so what is written here reads back unchanged.
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
# A table longer than this on one line opens a block instead.
LINE = 100
_INT = re.compile(r"[+-]?[0-9]+\Z")
# A value a block header may carry bare: `vm web 0123... {`.
_HEADER_SHAPES = ("machine_id",)


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
    return _joined(blocks) + "\n"


def _joined(blocks: list[list[str]]) -> str:
    """Blocks apart by a blank line; one-line statements of a kind together."""
    text = "\n".join(blocks[0]) if blocks else ""
    for before, lines in zip(blocks, blocks[1:], strict=False):
        text += "\n" if _same_kind_lines(before, lines) else "\n\n"
        text += "\n".join(lines)
    return text


def _same_kind_lines(before: list[str], after: list[str]) -> bool:
    one_line = len(before) == 1 and len(after) == 1
    return one_line and before[0].split()[:1] == after[0].split()[:1]


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


# -- statements ------------------------------------------------------------------


def _statement(
    key: Key, table: Table, depth: int, nesting: _Nesting, implied: str = ""
) -> list[str]:
    indent = INDENT * depth
    only = _only_child(table, nesting)
    if only is not None:  # `defaults vm {`: a table named on its parent's line
        child_key, child = only
        lines = _statement(child_key, child, depth, nesting)
        return [f"{indent}{words.statement_word(key)} {lines[0].lstrip()}"] + lines[1:]
    header, rest = _header(key, table, implied)
    line = _whole_line(key, table, nesting, (header, rest), len(indent))
    if line is not None:
        return [indent + line]
    header, rest = _block_header(header, rest, table.section)
    body = _block_lines(rest, depth + 1)
    body += _children(table, depth + 1, nesting)
    if not body:
        return [indent + " ".join(header)]
    return [indent + " ".join(header) + " {"] + body + [indent + "}"]


def _whole_line(
    key: Key, table: Table, nesting: _Nesting, parts: tuple, indent: int
) -> str | None:
    """The statement on one line, where it holds no table and fits (a list's
    element always does); the fleet's own statement always opens a block."""
    inner = table.children or nesting.inside.get(id(table))
    if inner or key.section is schema.FLEET:
        return None
    line = _on_one_line(*parts, table.section)
    if line is None:
        return None
    return line if indent + len(line) <= LINE or _always_one_line(key) else None


def _only_child(table: Table, nesting: _Nesting) -> tuple[Key, Table] | None:
    """The one single table a table of no values of its own holds ([defaults])."""
    if table.values or table.name is not None or nesting.inside.get(id(table)):
        return None
    if len(table.children) != 1:
        return None
    key, tables = table.children[0]
    plain = key.kind.name == "table" and not words.positional(key.section)
    return (key, tables[0]) if plain and len(tables) == 1 else None


def _always_one_line(key: Key) -> bool:
    """A list's element (`interface`, `share`) is one line however long."""
    return key.kind.name == "tables"


def _children(table: Table, depth: int, nesting: _Nesting) -> list[str]:
    body = []
    for child_key, children in table.children:
        for child in children:
            body += _statement(child_key, child, depth, nesting)
    before: list[str] = []
    for child_key, field_name, child in nesting.inside.get(id(table), ()):
        lines = _statement(child_key, child, depth, nesting, field_name)
        body += ([] if _same_kind_lines(before, lines) else [""]) + lines
        before = lines
    return body


def _header(key: Key, table: Table, implied: str) -> tuple[list[str], list]:
    """The statement's word, name and positional values; the values left."""
    header = [words.statement_word(key)]
    rest = [(k, v) for k, v in table.values if k.name != implied]
    if table.name is not None:
        header.append(words.literal(table.name))
    positional = words.positional(table.section)
    if key.kind.name == "tables" or len(positional) == 1:
        header += [_scalar(k, v) for k, v in rest if k in positional]
        rest = [(k, v) for k, v in rest if k not in positional]
    return header, rest


def _on_one_line(header: list[str], rest: list, section) -> str | None:
    """The whole table on its statement's line; None when a value cannot be.

    `-> MOUNT` first, then each value bare where its shape names its key,
    else after its key word; a list of one item as `word item`."""
    if any(k in words.positional(section) for k, _ in rest):
        return None  # read by position on a line: `deploy {` spells them out
    items = list(header)
    for k, v in rest:
        if k.name == words.ARROW_KEY:
            items += ["->", _scalar(k, v)]
    for k, v in rest:
        if k.name == words.ARROW_KEY:
            continue
        written = _line_item(k, v, section)
        if written is None:
            return None
        items += written
    return " ".join(items)


def _line_item(key: Key, value: Any, section) -> list[str] | None:
    if _is_scalar(key):
        shown = _scalar(key, value)
        bare = _by_shape(key, value, shown, section)
        return [shown] if bare else [words.word(key), shown]
    if key.kind.name in schema.FREE_FORM or len(value) != 1:
        return None  # `meta`, `follows`, empty and longer lists: in a block
    item = _module(value[0]) if key.kind.name == "modules" else words.literal(value[0])
    return [words.statement_word(key), item]


def _by_shape(key: Key, value: Any, shown: str, section: schema.Section) -> bool:
    """Whether the reader takes the bare value for this very key."""
    if not isinstance(value, str) or shown != value:  # quoted: not by shape
        return False
    return words.shaped_key(value, section) is key


def _block_header(header: list[str], rest: list, section) -> tuple[list[str], list]:
    """A block's header carries its machine-id bare: `host server1 5f0c... {`."""
    kept = []
    for k, v in rest:
        shown = _scalar(k, v) if _is_scalar(k) else None
        bare = shown is not None and _by_shape(k, v, shown, section)
        if k.name in _HEADER_SHAPES and bare:
            header = header + [shown]
        else:
            kept.append((k, v))
    return header, kept


def _block_lines(rest: list, depth: int) -> list[str]:
    """One statement a line; `ipv4 PREFIX gateway ADDRESS` when both are there."""
    lines, gateways = [], _gateways(rest)
    for k, v in rest:
        if k.name in gateways.values():
            continue
        line = _value_lines(k, v, depth)
        if k.name in gateways:
            gateway = dict(rest)[_key_named(rest, gateways[k.name])]
            line = [f"{line[0]} gateway {words.literal(gateway)}"]
        lines += line
    return lines


def _gateways(rest: list) -> dict[str, str]:
    """prefix key -> its gateway's key, where a network writes both."""
    names = {k.name for k, _ in rest}
    pairs = {"ipv4": "gateway4", "ipv6": "gateway6"}
    return {p: g for p, g in pairs.items() if p in names and g in names}


def _key_named(rest: list, name: str) -> Key:
    return next(k for k, _ in rest if k.name == name)


def _value_lines(key: Key, value: Any, depth: int) -> list[str]:
    indent = INDENT * depth
    if _is_scalar(key):
        return [f"{indent}{words.word(key)} {_scalar(key, value)}"]
    if not value:  # a list written empty: its word alone
        return [f"{indent}{words.word(key)}"]
    if key.kind.name == "modules":
        word = words.statement_word(key)
        return [f"{indent}{word} {_module(module)}" for module in value]
    if key.kind.name in schema.FREE_FORM:
        return [f"{indent}{words.word(key)} {_free(name, v)}" for name, v in value]
    items = "".join(" " + words.literal(item) for item in value)
    return [f"{indent}{words.word(key)}{items}"]


# -- values ------------------------------------------------------------------------


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
