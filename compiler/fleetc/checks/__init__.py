"""Whole-fleet checks (contract section 3). Each pass only reads the model and
returns diagnostics; all passes run, so one run reports every problem."""

from __future__ import annotations

from typing import Callable, Iterable

from ..diagnostics import Diagnostic
from ..model import Fleet

Check = Callable[[Fleet], Iterable[Diagnostic]]

# In order: the list is the documentation of what is checked.
CHECKS: list[Check] = []


def run(fleet: Fleet) -> list[Diagnostic]:
    return [d for check in CHECKS for d in check(fleet)]
