"""The model as fleet.toml: one [table] per node, [[table]] per list element."""

from __future__ import annotations

from typing import Any

from ..core.model import Fleet, ModuleRef, Pairs
from ..core import toml_text
from .tables import Table, document, module_text


def to_toml(fleet: Fleet) -> str:
    parts: list[str] = []
    for key, tables in document(fleet):
        for found in tables:
            path = [key.name] + ([found.name] if found.name is not None else [])
            _write(parts, found, path, repeated=False)
    return "\n\n".join(parts) + "\n"


def _write(parts: list[str], table: Table, path: list[str], repeated: bool) -> None:
    header = ".".join(toml_text.key(part) for part in path)
    lines = [f"[[{header}]]" if repeated else f"[{header}]"]
    lines += [
        f"{toml_text.key(key.name)} = {_value(value)}" for key, value in table.values
    ]
    parts.append("\n".join(lines))
    for key, children in table.children:
        for child in children:
            below = path + [key.name] + ([child.name] if child.name is not None else [])
            _write(parts, child, below, repeated=key.kind.name == "tables")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Pairs):
        pairs = ", ".join(
            f"{toml_text.key(name)} = {_value(item)}" for name, item in value
        )
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, ModuleRef):
        return toml_text.string(module_text(value, dot_slash=False))
    return toml_text.string(value)
