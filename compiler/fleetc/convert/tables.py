"""The model as the tables a fleet file holds: what both writers walk.

A key is written when its value differs from what reading the file without it
gives: the model's default, or for hosts and VMs the fleet's `system` (see
frontend/document.py). The model keeps no [defaults]: every VM is written with
its own values, which is how the reader filled them in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..frontend import schema
from ..frontend.schema import Key, Section
from ..core.model import Fleet, ModuleRef, Node

# Keys a host or VM leaves out to get the fleet's value.
_FROM_FLEET = {schema.HOST: ("system",), schema.VM: ("system",)}
_UNSET = object()


@dataclass(frozen=True)
class Table:
    section: Section
    name: str | None  # a named table's name ([vms.<name>])
    values: tuple[tuple[Key, Any], ...]  # keys holding values, in schema order
    children: tuple[tuple[Key, tuple[Table, ...]], ...]  # keys holding tables

    def value(self, name: str, default: Any = None) -> Any:
        return next((v for key, v in self.values if key.name == name), default)


def document(fleet: Fleet) -> tuple[tuple[Key, tuple[Table, ...]], ...]:
    """The top-level tables (fleet, networks, hosts, vms) in schema order."""
    found = ((key, _top(fleet, key)) for key in schema.DOCUMENT.keys)
    return tuple((key, tables) for key, tables in found if tables)


def _top(fleet: Fleet, key: Key) -> tuple[Table, ...]:
    if key.section.model is Fleet:
        return (table(fleet, key.section, fleet),)
    nodes = getattr(fleet, key.field, None)  # none for [defaults]
    return tuple(table(node, key.section, fleet) for node in nodes or ())


def table(node: Node, section: Section, fleet: Fleet) -> Table:
    values, children = [], []
    for key in section.keys:
        value = getattr(node, key.field)
        if key.section is not None:
            nodes = _as_nodes(value)
            if nodes:
                tables = tuple(table(child, key.section, fleet) for child in nodes)
                children.append((key, tables))
        elif key.required or value != _unset(section, key, fleet):
            values.append((key, value))
    name = getattr(node, section.name_field) if section.name_field else None
    return Table(section, name, tuple(values), tuple(children))


def _as_nodes(value: Any) -> tuple[Node, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _unset(section: Section, key: Key, fleet: Fleet) -> Any:
    if key.name in _FROM_FLEET.get(section, ()):
        return getattr(fleet, key.field)
    return _defaults(section.model).get(key.field, _UNSET)


@cache
def _defaults(model: type) -> dict[str, Any]:
    found = {}
    for field in dataclasses.fields(model):
        if field.default is not dataclasses.MISSING:
            found[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            found[field.name] = field.default_factory()
    return found


def module_text(module: ModuleRef, dot_slash: bool) -> str:
    """A module as written: readers drop one leading `./`, so one is put back
    where the text has its own; `dot_slash` adds one to every file module."""
    text = module.text
    if text.startswith("./") or (dot_slash and _plain_file(module)):
        return "./" + text
    return text


def _plain_file(module: ModuleRef) -> bool:
    return not module.is_input and not module.text.startswith(("/", "../"))
