"""A mistake in [defaults.vm] is reported once, at [defaults.vm].

Every VM that leaves a key out holds the default's value, and the checks judge
VMs one by one: a misspelt hypervisor in [defaults.vm] was one error per VM,
all at the same place. Diagnostics of one code at the same span of
[defaults.vm] are one mistake; the first is kept, and says how many VMs take
the value. Runs over every diagnostic of a compile (core/pipeline.py).
"""

from __future__ import annotations

from dataclasses import replace

from ..core.diagnostics import Diagnostic
from ..core.model import Fleet
from .common import own_spans


def once_at_defaults(fleet: Fleet, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    if fleet.vm_defaults is None or not diagnostics:
        return diagnostics
    defaults = frozenset(own_spans(fleet.vm_defaults))
    counts: dict[tuple, int] = {}  # (code, span in [defaults.vm]) -> how many
    kept = []
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.span)
        if diagnostic.span not in defaults or key not in counts:
            kept.append(diagnostic)
        if diagnostic.span in defaults:
            counts[key] = counts.get(key, 0) + 1
    return [_counted(d, counts.get((d.code, d.span), 1)) for d in kept]


def _counted(diagnostic: Diagnostic, vms: int) -> Diagnostic:
    if vms == 1:
        return diagnostic
    said = f"in [defaults.vm]: {vms} VMs take this value"
    label = f"{diagnostic.label}; {said}" if diagnostic.label else said
    return replace(diagnostic, label=label)
