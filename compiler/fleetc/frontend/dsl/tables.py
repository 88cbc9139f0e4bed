"""The table the DSL builder is filling: a block, or a statement's own values."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..schema import Section
from ..tomlspans import Path
from . import words
from .statements import Statement, Word


@dataclass
class Table:
    """One table being filled: a block, or a statement's own values."""

    section: Section
    path: Path
    statement: Statement | None = None  # what opened it; None: the file itself
    parent: Table | None = None  # the block it was written in
    raw: dict = field(default_factory=dict)
    name: Word | None = None  # its name, for what nests in it (a VM's host)
    set_by: dict[str, Word] = field(default_factory=dict)  # key -> where set

    @property
    def head(self) -> str:
        return self.statement.head.value if self.statement else ""

    @cached_property
    def title(self) -> str:
        """How messages name it: "`interface lan` in `vm web`" (made only for them)."""
        if self.statement is None:
            return "the fleet file"
        own = f"`{' '.join(_title_words(self.statement, self.section))}`"
        nested = self.parent is not None and self.parent.statement is not None
        if nested and not self.section.name_field:
            return f"{own} in {self.parent.title}"
        return own


def _title_words(statement: Statement, section: Section) -> list[str]:
    """The statement's word and what names the table: `interface lan`, `vm web`."""
    count = 1 if section.name_field else len(words.positional(section))
    shown = [statement.head.value]
    for token in statement.values[:count]:
        if token.type == "ARROW":
            break
        shown.append(token.value)
    return shown
