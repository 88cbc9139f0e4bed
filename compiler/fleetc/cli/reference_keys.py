"""docs/reference/keys.md: every key of the fleet file, from the reader's own
table (frontend/schema.py), its defaults (core/model.py), what it means
(frontend/key_docs.py) and what it produces (frontend/key_nix.py).

Written by `make docs` (cli/reference.py); tests/docs/test_reference.py
fails when the committed page is not what this writes."""

from __future__ import annotations

import dataclasses
import re

from ..core import model
from ..frontend import schema
from ..frontend.key_docs import doc
from ..frontend.key_nix import default_rule, produces
from ..frontend.schema import Key, Section

HEAD = """\
# The fleet file: every key

Generated from fleetc's own table of keys by `make docs`; do not edit.
Each table of the fleet file, its keys in the order the reader declares
them: the value's type, its default when left out, what it means, and what
it produces in the generated tree (file names relative to the output
directory, `generated/` by default). `fleetc schema` gives the same keys to
editors. The [guide](../README.md) shows them at work.
"""

KIND_NAMES = {
    "str": "string",
    "int": "integer",
    "bool": "boolean",
    "address": "address or `false`",
    "str_or_false": "string or `false`",
    "strs": "list of strings",
    "modules": "list of modules: files or `inputs.<name>.<attr>`",
    "meta": "table: any key, strings, integers, booleans or lists of them",
    "follows": 'table: `<input> = "<target>"`',
    "options": "table: microvm.nix option paths",
}


def page() -> str:
    """The whole page, one section a table of the fleet file."""
    return HEAD + "".join(section_text(part) for part in sections())


def sections(part: Section = schema.DOCUMENT, seen: list | None = None) -> list:
    """Every table of the fleet file once, outermost first."""
    seen = [] if seen is None else seen
    if all(part is not other for other in seen):
        seen.append(part)
        for key in part.keys:
            if key.section is not None:
                sections(key.section, seen)
    return seen


def anchor(part: Section) -> str:
    return re.sub(r"[^a-z0-9]+", "-", part.title.lower()).strip("-")


def section_text(part: Section) -> str:
    rows = "".join(row(part, key) for key in part.keys)
    return (
        f'\n<a id="{anchor(part)}"></a>\n\n## `{part.title}`\n\n'
        "| key | type | default | meaning | produces |\n"
        "| --- | --- | --- | --- | --- |\n" + rows
    )


def row(part: Section, key: Key) -> str:
    cells = (
        f"`{key.name}`",
        type_text(key),
        default_text(part, key),
        doc(part.title, key.name) or "",
        produces(part.title, key.name) or "",
    )
    return "| " + " | ".join(cell(text) for text in cells) + " |\n"


def cell(text: str) -> str:
    """Markdown table cells: a `|` would end the cell, and `<vm>` outside a
    code span would be read as an HTML tag."""
    parts = text.replace("|", "\\|").replace("\n", " ").split("`")
    plain = (part.replace("<", "&lt;") for part in parts[0::2])
    parts[0::2] = plain
    return "`".join(parts)


def type_text(key: Key) -> str:
    if key.allowed:
        return " or ".join(f'`"{word}"`' for word in key.allowed)
    if key.section is not None:
        link = f"[`{key.section.title}`](#{anchor(key.section)})"
        shapes = {schema.TABLES: "list of tables", schema.NAMED: "tables by name"}
        return f"{shapes.get(key.kind, 'table')}: {link}"
    return KIND_NAMES.get(key.kind.name, key.kind.expected)


def default_text(part: Section, key: Key) -> str:
    """ "required", a rule (key_nix.DEFAULTS), or the model's default value."""
    if key.required:
        return "required"
    rule = default_rule(part.title, key.name)
    if rule is not None:
        return rule
    found = model_default(part, key)
    return "" if found is dataclasses.MISSING else value_text(found)


def model_default(part: Section, key: Key):
    if part.model is None or key.section is not None:
        return dataclasses.MISSING
    for field in dataclasses.fields(part.model):
        if field.name == key.field:
            return field.default
    return dataclasses.MISSING


def value_text(value) -> str:
    """A default as the fleet file would spell it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, model.Pairs):
        return "`{}`"
    if isinstance(value, tuple):
        return "`[]`" if not value else f"`{list(value)}`"
    return f"`{value}`"
