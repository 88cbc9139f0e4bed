"""Option paths of `[vms.<vm>.microvm]`: a quoted key with dots and TOML's
dotted keys (tables inside the table) name the same option."""

from __future__ import annotations


def flattened(table: dict, prefix: str = "") -> dict:
    """Tables inside a table of options become dotted names."""
    found: dict = {}
    for name, value in table.items():
        if isinstance(value, dict):
            found |= flattened(value, f"{prefix}{name}.")
        else:
            found[f"{prefix}{name}"] = value
    return found
