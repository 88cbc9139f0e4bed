"""Free-form tables in the DSL (`meta`, `follows`, `microvm`): a mixin of dsl_build.Builder.

Their keys are not in the schema, so each entry is a statement of its own on
the table's word: `meta KEY VALUE`, or `meta KEY [ A B ]` for a list (the
brackets keep a one-element list apart from a value). KEY may be quoted. As
for `vcpu 2`, a bare number or boolean in meta is one, a quoted one a string.
"""

from __future__ import annotations

from typing import Any

from ..schema import BOOL, INT, STR, Kind
from ..tomlspans import Path

from .statements import Statement, Word
from .tables import Table
from .words import Entry


class FreeForm:
    def free_form(self, statement: Statement, entry: Entry, table: Table) -> None:
        """`meta KEY VALUE` or `meta KEY [ V... ]`: one entry of a free-form table."""
        key, values = entry.key, statement.values
        if statement.block is not None or len(values) < 2:
            self.no_key_and_value(statement)
            return
        items = table.raw.setdefault(key.name, {})
        name = self.value_of(values[0], STR)
        path = table.path + (key.name,)
        self.locate(path, statement.head, statement.header)
        if name in items:
            fix = "give each key once"
            message = f"`{statement.head} {name}` is already set"
            self.report("F001", message, values[0], help=fix)
            return
        written = (values[1].start_pos, values[-1].end_pos)
        self.locate(path + (name,), values[0], written)
        items[name] = self.free_value(values[1:], path + (name,), key.kind.element)

    def no_key_and_value(self, statement: Statement) -> None:
        message = f"expected a key and a value after `{statement.head}`"
        fix = f"write `{statement.head} KEY VALUE` on one line"
        self.report("F001", message, statement.head, help=fix)

    def free_value(self, tokens: list[Word], path: Path, kind: Kind) -> Any:
        """One value, or the values between `[` and `]`."""
        if _bracketed(tokens):
            inner = tokens[1:-1]
            for index, token in enumerate(inner):
                self.locate(path + (index,), token, (token.start_pos, token.end_pos))
            return [self.free_scalar(token, kind) for token in inner]
        for token in tokens[1:]:
            fix = "one value, or the values between `[` and `]`"
            self.report("F001", "a list is written `[ A B ]`", token, help=fix)
        return self.free_scalar(tokens[0], kind)

    def free_scalar(self, token: Word, kind: Kind) -> Any:
        if kind is STR or token.type == "STRING":
            return self.value_of(token, STR)
        for typed in (INT, BOOL):
            value = self.value_of(token, typed)
            if not isinstance(value, str):
                return value
        return token.value


def _bracketed(tokens: list[Word]) -> bool:
    first, last = tokens[0], tokens[-1]
    opens = first.type == "WORD" and first.value == "["
    return opens and len(tokens) > 1 and last.type == "WORD" and last.value == "]"
