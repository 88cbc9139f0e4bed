"""Which fields a table wrote itself (model.Node.written): what `fleetc
convert` writes back, and whose spans are a VM's own (checks/allowed.py)."""

from __future__ import annotations

from typing import Any

# Nodes written alike (most VMs of a large fleet) share one set of names; the
# cap keeps a long-lived process (the fuzzer) from keeping every shape it saw.
_WRITTEN: dict[frozenset[str], frozenset[str]] = {}
_SHARED_SHAPES = 1024


def written_fields(values: dict[str, Any]) -> frozenset[str]:
    """The fields a table wrote itself, as model.Node.written holds them."""
    names = frozenset(values)
    if len(_WRITTEN) < _SHARED_SHAPES:
        return _WRITTEN.setdefault(names, names)
    return _WRITTEN.get(names, names)
