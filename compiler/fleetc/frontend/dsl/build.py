"""Statements into the plain tables the schema reader takes, and where each was written.

The result has exactly the shape tomli gives for the same fleet in TOML
(`{"vms": {"web": {"interfaces": [{...}]}}}`), so frontend/document.py reads
both, with the same checks and codes. Spans are recorded by the same key paths
as tomlspans records them. What a word means is looked up in the schema
through dsl_words; nothing here names a key, except that VMs nest in hosts.
"""

from __future__ import annotations

import re
from typing import Any

from ...core.diagnostics import Diagnostic
from ...core.source import Source
from . import words
from .free_form import FreeForm
from .messages import Reporting
from .statements import Statement, Word
from .tables import Table
from ..schema import DOCUMENT, STR, Key, Kind, Section
from ..tomlspans import Path

Range = tuple[int, int]
_INT = re.compile(r"[+-]?[0-9]+\Z")
_DIGITS = re.compile(r"[0-9]+\Z")


class Builder(FreeForm, Reporting):
    def __init__(self, source: Source) -> None:
        self.source = source
        self.keys: dict[Path, Range] = {(): (0, 0)}
        self.values: dict[Path, Range] = {(): (0, 0)}
        self.tables: dict[Path, Table] = {}
        self.diagnostics: list[Diagnostic] = []
        self.root = Table(DOCUMENT, ())

    def build(self, statements: list[Statement]) -> dict:
        self.block(statements, self.root)
        return self.root.raw

    def block(self, statements: list[Statement] | None, table: Table) -> None:
        for statement in statements or ():
            self.statement(statement, table)

    def statement(self, statement: Statement, table: Table) -> None:
        entry = words.vocabulary(table.section).get(statement.head.value)
        if entry is None:
            self.unknown(statement.head, table)
            return
        handler = _handler(entry.key.kind)
        if statement.block is not None and handler in _VALUES:
            self.no_block(statement, entry.key, table)
        else:
            handler(self, statement, entry, table)

    # -- statements, by the kind of their key ------------------------------------

    def scalar(self, statement: Statement, entry: words.Entry, table: Table) -> None:
        values = self.after_equals(statement)
        if not values or values[0].type == "ARROW":
            self.missing_value(statement.head, entry.key, table)
            return
        self.assign(table, entry.key, statement.head, values[0])
        self.pairs(table, values[1:], after=entry.key)

    def strings(self, statement: Statement, entry: words.Entry, table: Table) -> None:
        key = entry.key
        items = table.raw.setdefault(key.name, [])
        path = table.path + (key.name,)
        self.locate(path, statement.head, statement.header)
        for token in statement.values:
            if token.type == "ARROW":
                self.arrow_not_here(token, table)
                continue
            self.locate(path + (len(items),), token, _range(token))
            items.append(self.value_of(token, key.kind.element or STR))

    def table(self, statement: Statement, entry: words.Entry, table: Table) -> None:
        key = entry.key
        if self.given_before(table, key, statement.head):
            return
        child = self.open(table, key, table.path + (key.name,), statement)
        table.raw[key.name] = child.raw
        rest = self.fill(child, statement.values)
        if self.descends(child, rest):
            self.statement(Statement(rest[0], rest[1:], statement.block), child)
        else:
            self.pairs(child, rest)
            self.block(statement.block, child)

    def tables(self, statement: Statement, entry: words.Entry, table: Table) -> None:
        key = entry.key
        items = table.raw.setdefault(key.name, [])
        self.locate(table.path + (key.name,), statement.head, statement.header)
        child = self.open(table, key, table.path + (key.name, len(items)), statement)
        items.append(child.raw)
        self.pairs(child, self.fill(child, statement.values))
        self.block(statement.block, child)

    def named(self, statement: Statement, entry: words.Entry, table: Table) -> None:
        values = statement.values
        if not values or values[0].type == "ARROW":
            self.missing_name(statement)
            return
        owner = table if entry.owner is table.section else self.root
        child = self.declare(owner, entry.key, statement, parent=table)
        if child is None:
            return
        if entry.implied and table.name is not None:
            implied = child.section.by_name[entry.implied]
            self.assign(child, implied, table.name, table.name)
        self.pairs(child, values[1:])
        self.block(statement.block, child)

    def declare(
        self, owner: Table, key: Key, statement: Statement, parent: Table
    ) -> Table | None:
        """A new named table in `owner`; None (reported) when the name is taken."""
        items = owner.raw.setdefault(key.name, {})
        self.locate(owner.path + (key.name,), statement.head, statement.header)
        name = self.value_of(statement.values[0], STR)
        path = owner.path + (key.name, name)
        if name in items:
            self.duplicate_name(statement, name, self.tables[path])
            return None
        child = self.open(parent, key, path, statement, name=statement.values[0])
        items[name] = child.raw
        return child

    # -- values on a statement's line --------------------------------------------

    def fill(self, table: Table, tokens: list[Word]) -> list[Word]:
        """Give the section's positional keys the first values; return the rest."""
        keys = words.positional(table.section)
        taken = 0
        while taken < min(len(keys), len(tokens)) and tokens[taken].type != "ARROW":
            self.assign(table, keys[taken], tokens[taken], tokens[taken])
            taken += 1
        return tokens[taken:]

    def pairs(self, table: Table, tokens: list[Word], after: Key | None = None) -> None:
        """`key value`, `-> mount`, or a value whose shape names its key."""
        index = 0
        while index < len(tokens):
            index = self.pair(table, tokens, index, after)

    def pair(self, table: Table, tokens: list[Word], index: int, after) -> int:
        token = tokens[index]
        if token.type == "ARROW":
            return self.arrow(table, tokens, index)
        key = self.key_named(table.section, token, after)
        if key is not None:
            return self.keyed(table, key, tokens, index)
        shaped = words.shaped_key(token.value, table.section)
        if token.type == "WORD" and shaped is not None:
            self.assign(table, shaped, token, token)
        else:
            self.not_a_key(token, table)
        return index + 1

    def keyed(self, table: Table, key: Key, tokens: list[Word], index: int) -> int:
        word, value = tokens[index], _at(tokens, index + 1)
        if value is None or value.type == "ARROW":
            self.missing_value(word, key, table)
            return index + 1
        kind = _handler(key.kind)
        if kind is Builder.scalar:
            self.assign(table, key, word, value)
        elif kind is Builder.strings:
            self.append(table, key, word, value)
        else:
            self.table_on_a_line(word)
        return index + 2

    def arrow(self, table: Table, tokens: list[Word], index: int) -> int:
        key = table.section.by_name.get(words.ARROW_KEY)
        if key is None:
            self.arrow_not_here(tokens[index], table)
            return index + 2  # and its value
        value = _at(tokens, index + 1)
        if value is None or value.type == "ARROW":
            self.missing_value(tokens[index], key, table)
            return index + 1
        self.assign(table, key, tokens[index], value)
        return index + 2

    def key_named(self, section: Section, token: Word, after: Key | None) -> Key | None:
        """The key a word names; after `ipv4 X`, `gateway` names `gateway4`."""
        if token.type != "WORD":
            return None
        vocabulary = words.vocabulary(section)
        digits = _DIGITS.search(after.name) if after else None
        entry = digits and vocabulary.get(token.value + digits.group())
        entry = entry or vocabulary.get(token.value)
        return entry.key if entry else None

    # -- recording values ----------------------------------------------------------

    def assign(self, table: Table, key: Key, word: Word, value: Word) -> None:
        if self.given_before(table, key, word):
            return
        path = table.path + (key.name,)
        self.locate(path, word, _range(value))
        table.raw[key.name] = self.value_of(value, key.kind)

    def given_before(self, table: Table, key: Key, word: Word) -> bool:
        """A key is given once per table; says so when `word` gives it again."""
        first = table.set_by.setdefault(key.name, word)
        if first is not word:
            self.twice(word, key, first)
        return first is not word

    def append(self, table: Table, key: Key, word: Word, value: Word) -> None:
        items = table.raw.setdefault(key.name, [])
        path = table.path + (key.name,)
        self.locate(path, word, _range(value))
        self.locate(path + (len(items),), value, _range(value))
        items.append(self.value_of(value, key.kind.element or STR))

    def value_of(self, token: Word, kind: Kind) -> Any:
        """A value by its key's kind: `2` is a number for `vcpu`, a string for `uplink`."""
        if token.type == "STRING":
            return self.text(token)
        text = token.value
        if kind.name == "int" and _INT.match(text):
            return _integer(text)
        if kind.name in words.TAKES_FALSE and text in ("true", "false"):
            return text == "true"
        return text

    def text(self, token: Word) -> str:
        text, problems = words.unquoted(token.value)
        for offset, message in problems:
            self.bad_escape(token.start_pos + offset, message)
        return text

    def locate(self, path: Path, key: Word, value: Range) -> None:
        self.keys.setdefault(path, _range(key))
        self.values.setdefault(path, value)

    def open(
        self,
        parent: Table,
        key: Key,
        path: Path,
        statement: Statement,
        name: Word | None = None,
    ) -> Table:
        table = Table(key.section, path, statement, parent, name=name)
        self.tables[path] = table
        self.locate(path, name or statement.head, statement.header)
        return table

    def descends(self, table: Table, tokens: list[Word]) -> bool:
        """`defaults vm {` is `defaults { vm {`: a table named on its parent's line."""
        if words.positional(table.section) or not tokens:
            return False
        entry = words.vocabulary(table.section).get(tokens[0].value)
        return (
            tokens[0].type == "WORD"
            and entry is not None
            and entry.key.kind.name == "table"
        )


_HANDLERS = {
    "meta": Builder.free_form,
    "follows": Builder.free_form,
    "options": Builder.free_form,
    "named": Builder.named,
    "tables": Builder.tables,
    "table": Builder.table,
}


_VALUES = (Builder.scalar, Builder.strings)


def _handler(kind: Kind):
    """By kind: tables by their own handlers, lists of values, else one value."""
    if kind.name in _HANDLERS:
        return _HANDLERS[kind.name]
    return Builder.strings if kind.element is not None else Builder.scalar


# More digits than any 64-bit integer has (after leading zeros).
_MAX_DIGITS = 19


def _integer(text: str) -> int:
    """`int(text)`, except that an integer too long for any Nix integer is read
    as one just past the limit: the reader reports it (F008), and Python's own
    conversion refuses thousands of digits with a ValueError."""
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > _MAX_DIGITS:
        return -(10**_MAX_DIGITS) if text.startswith("-") else 10**_MAX_DIGITS
    return int(text)


def _range(token: Word) -> Range:
    return token.start_pos, token.end_pos


def _at(tokens: list[Word], index: int) -> Word | None:
    return tokens[index] if index < len(tokens) else None
