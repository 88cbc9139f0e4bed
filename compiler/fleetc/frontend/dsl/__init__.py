"""The DSL frontend: a .fleet file into the model (contract section 2).

Three steps: the grammar turns text into statements (dsl_scan; dsl_syntax's
lark parser says what is wrong, F001 in words); the schema gives each
statement's words their meaning and yields the same plain tables tomli yields
for TOML (dsl_build); and the schema reader shared with TOML builds the model
from them (document.py, reader.py), so both formats are checked alike and
report the same codes, located in their own file.
"""

from __future__ import annotations

from ...core.diagnostics import Diagnostic
from ...core.model import Fleet
from ...core.source import Source
from ..document import read_document
from .build import Builder
from .reader import DslReader
from .scan import parse
from ..tomlspans import SpanIndex


def load_dsl(source: Source) -> tuple[Fleet | None, list[Diagnostic]]:
    """The model (None when the input is unusable) and every problem found reading it."""
    statements, problem = parse(source)
    if problem is not None:
        return None, [problem]
    builder = Builder(source)
    data = builder.build(statements)
    # Without a fleet statement, the reader reports its name as missing.
    data.setdefault("fleet", {})
    locate = SpanIndex(source, builder.keys, builder.values)
    reader = DslReader(locate, builder.tables)
    fleet, diagnostics = read_document(data, locate, source.name, reader)
    return fleet, builder.diagnostics + diagnostics
