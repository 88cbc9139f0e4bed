"""A JSON Schema (draft 2020-12) of fleet.toml, derived from frontend/schema.py.

Editors (Taplo, VS Code's Even Better TOML) read it for completion and
checking as the user types. It is never written by hand: `fleetc schema`
prints it, and data/fleet.schema.json (shipped in the wheel) is this module's
output, held equal to it by tests/frontend/test_schema.py. The schema is the shape only;
the checks (addresses, names, hypervisors...) stay fleetc's.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from . import schema
from .key_docs import doc
from .key_nix import produces
from .schema import Key, Kind, Section

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Values of [vms.<name>.meta]: what schema.META_VALUE accepts.
META_SCALAR = {"type": ["string", "integer", "boolean"]}
SCALARS = {
    schema.STR: {"type": "string"},
    schema.INT: {"type": "integer"},
    schema.BOOL: {"type": "boolean"},
    schema.ADDRESS: {"anyOf": [{"type": "string"}, {"const": False}]},
    schema.STR_OR_FALSE: {"anyOf": [{"type": "string"}, {"const": False}]},
    schema.META_VALUE: {
        "anyOf": [META_SCALAR, {"type": "array", "items": META_SCALAR}]
    },
}


def document() -> dict[str, Any]:
    """The schema of the whole fleet file."""
    return {
        "$schema": DIALECT,
        "title": "fleetc fleet.toml",
        **section(schema.DOCUMENT),
    }


def text() -> str:
    """The schema as `fleetc schema` prints it and the wheel ships it."""
    return json.dumps(document(), indent=2, sort_keys=False) + "\n"


def section(part: Section, required: bool = True) -> dict[str, Any]:
    """A table: only its own keys (a typo'd key is an error, as F002 is)."""
    shape = {
        "type": "object",
        "description": part.title,
        "properties": {key.name: described(part, key) for key in part.keys},
        "additionalProperties": False,
    }
    needed = [key.name for key in part.required] if required else []
    return {**shape, "required": needed} if needed else shape


def described(part: Section, key: Key) -> dict[str, Any]:
    """The key's value, with what it means (frontend/key_docs.py), what it
    produces (frontend/key_nix.py) and its default, which editors show."""
    meaning = doc(part.title, key.name)
    nix = produces(part.title, key.name)
    text = " ".join(filter(None, (meaning, nix and f"Produces: {nix}.")))
    shape = {**value(key), **default(part, key)}
    return {**shape, "description": text} if text else shape


def default(part: Section, key: Key) -> dict[str, Any]:
    """The model's default, where it is a plain value the file could spell."""
    if part.model is None or key.section is not None or key.required:
        return {}
    found = next((f for f in fields(part.model) if f.name == key.field), None)
    plain = found is not None and isinstance(found.default, (str, bool, int))
    return {"default": found.default} if plain else {}


def value(key: Key) -> dict[str, Any]:
    """One key's value: its kind, narrowed to the allowed words if any."""
    if key.allowed:
        return {"type": "string", "enum": list(key.allowed)}
    if key.section is not None:
        return tables(key.kind, nested(key))
    return kind(key.kind)


def nested(key: Key) -> dict[str, Any]:
    """[defaults.vm] holds any VM key; required ones are checked per VM."""
    return section(key.section, required=not _in_defaults(key))


def _in_defaults(key: Key) -> bool:
    return any(key is other for other in schema.DEFAULTS.keys)


def tables(container: Kind, one: dict[str, Any]) -> dict[str, Any]:
    """A table, a list of tables ([[x]]), or tables by name ([x.<name>])."""
    if container is schema.TABLES:
        return {"type": "array", "items": one}
    if container is schema.NAMED:
        return {"type": "object", "additionalProperties": one}
    return one


def kind(of: Kind) -> dict[str, Any]:
    """Scalars, lists of strings and the free-form tables (meta, follows)."""
    if of in SCALARS:
        return SCALARS[of]
    if of.element is None:  # a new scalar kind in schema.py: name its JSON type
        raise ValueError(f"no JSON Schema for kind {of.name}: add it to SCALARS")
    if of is schema.OPTIONS:  # option paths; TOML's dotted keys nest tables
        values = {"anyOf": [kind(of.element), {"type": "object"}]}
        return {"type": "object", "additionalProperties": values}
    if of.name in schema.FREE_FORM:  # any key, values of the element kind
        return {"type": "object", "additionalProperties": kind(of.element)}
    return {"type": "array", "items": kind(of.element)}
