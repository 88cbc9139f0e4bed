"""Frontends turn source text into the model. The format is chosen by extension.

May import: core. Never: checks onwards, output, nixbuild, review, cli.
"""

from __future__ import annotations

from ..core.diagnostics import Diagnostic
from ..core.model import Fleet
from ..core.source import Source

FORMATS = ("toml", "fleet")


def format_of(name: str, forced: str | None = None) -> str:
    if forced:
        return forced
    return "fleet" if name.endswith(".fleet") else "toml"


def load(
    source: Source, forced: str | None = None
) -> tuple[Fleet | None, list[Diagnostic]]:
    """The model (None when the input is unusable) and every problem found reading it."""
    if format_of(source.name, forced) == "fleet":
        from .dsl import load_dsl

        return load_dsl(source)
    from .toml import load_toml

    return load_toml(source)
