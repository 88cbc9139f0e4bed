"""Frontends turn source text into the model. The format is chosen by extension."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..model import Fleet
from ..source import Source

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
