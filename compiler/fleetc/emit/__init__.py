"""Emitters render a checked model into files: relative path -> text."""

from __future__ import annotations

from ..model import Fleet


def emit(fleet: Fleet, layout) -> dict[str, str]:
    raise NotImplementedError
