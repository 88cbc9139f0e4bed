"""The model as text in either input format, for `fleetc convert`.

Both writers walk the same schema-driven tables (tables.py), so every key the
schema declares is written, and what they write reads back to an equal model.
Comments are not in the model, so they are lost.

May import: core, frontend. Never: output, nixbuild, review, cli.
"""

from .fleet_writer import to_fleet
from .toml_writer import to_toml

__all__ = ["to_fleet", "to_toml"]
