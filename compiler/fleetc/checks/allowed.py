"""Warnings a fleet has read and accepted: `allow = ["F920"]` (F090, F091).

A warning that repeats on every command and asks for nothing to change (a
recipe's known cost, a network meant to stay on its host) would teach its
reader to skip warnings. `allow` names it by code, in the fleet file, where a
reviewer sees it:

- [fleet] allow: the code wherever it is raised;
- a VM's allow: the warnings located in what that VM wrote itself;
- [defaults.vm]'s allow: those located in [defaults.vm], and (as any default)
  those of every VM that does not write its own.

Errors are never acknowledged. An allowed code fleetc does not have (F090),
that no warning of a complete compile raised, or that is raised as an error
(F091), is a warning itself: an allowance left after its cause went away would
hide the cause's return, and one for an error hides nothing.
Runs over every diagnostic of a compile (core/pipeline.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from ..core.diagnostics import CODES, Diagnostic, warning
from ..core.model import Fleet, Node
from ..core.source import Span
from .common import own_spans

LIST = "`fleetc explain --list` lists the codes"
# Warnings raised after the compile, by what reads the disk: flake.lock's
# (cli/pinned.py). Their allowances are that pass's to judge, not the compile's.
LATER = frozenset({"F060"})


@dataclass
class Allowance:
    """One entry of an allow list, and where the warnings it covers are."""

    code: str
    entry: Span | None  # the entry as written
    owner: Node | None  # None: the whole fleet
    where: str  # "", or " about vm `web`", for messages
    _spans: frozenset[Span] | None = field(default=None, repr=False)

    def covers(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.code != self.code or diagnostic.is_error:
            return False
        if self.owner is None:
            return True
        if self._spans is None:  # only for a warning of its code: spans cost
            self._spans = frozenset(own_spans(self.owner))
        return diagnostic.span in self._spans


def acknowledge(
    fleet: Fleet, diagnostics: list[Diagnostic], complete: bool, later: bool = False
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(the diagnostics to show, the warnings acknowledged). `complete`: every
    pass that raises them ran, so an allowance nothing used is known unused.
    `later`: the diagnostics of a pass after the compile (LATER's codes)."""
    allowances = list(allowances_of(fleet))
    shown, acknowledged, used = [], [], set()
    for diagnostic in diagnostics:
        by = next((a for a in allowances if a.covers(diagnostic)), None)
        if by is None:
            shown.append(diagnostic)
        else:
            acknowledged.append(diagnostic)
            used.add((by.code, by.entry))
    judged = [a for a in allowances if (a.code in LATER) == later]
    shown += [] if later else unknown_codes(allowances)
    shown += unused(judged, used, diagnostics, complete)
    return shown, acknowledged


def allowances_of(fleet: Fleet) -> Iterator[Allowance]:
    yield from _entries(fleet, fleet.allow, None, "")
    defaults = fleet.vm_defaults
    given = dict(defaults.values).get("allow", ()) if defaults else ()
    if given:
        where = " about the VMs [defaults.vm] gives it to"
        yield from _entries(defaults, given, defaults, where)
    for vm in fleet.vms:
        yield from _entries(vm, vm.allow, vm, f" about vm `{vm.name}`")


def _entries(
    node: Node, codes: tuple[str, ...], owner: Node | None, where: str
) -> Iterator[Allowance]:
    for index, code in enumerate(codes):
        yield Allowance(code, node.at("allow", index), owner, where)


def unknown_codes(allowances: list[Allowance]) -> Iterator[Diagnostic]:
    """F090, once for each entry (a VM's inherited entry is [defaults.vm]'s)."""
    told = set()
    for allowance in allowances:
        if allowance.code in CODES or allowance.entry in told:
            continue
        told.add(allowance.entry)
        message = f"allow names `{allowance.code}`, which is not a fleetc code"
        help = f"codes look like F920; {LIST}"
        yield warning("F090", message, allowance.entry, help=help)


def unused(
    allowances: list[Allowance],
    used: set,
    diagnostics: list[Diagnostic],
    complete: bool,
) -> Iterator[Diagnostic]:
    """F091 for each known code it acknowledged no warning of: any, when every
    pass ran; else only a code this run raised as an error."""
    errors = {d.code for d in diagnostics if d.is_error}
    first: dict[tuple, Allowance] = {}
    for allowance in allowances:
        key = (allowance.code, allowance.entry)
        wanted = complete or allowance.code in errors
        if allowance.code in CODES and key not in used and wanted:
            first.setdefault(key, allowance)
    for (code, _), allowance in first.items():
        yield _unused(allowance, code in errors)


def _unused(allowance: Allowance, is_error: bool) -> Diagnostic:
    code = allowance.code
    if is_error:
        message = f"allow names {code}, an error: errors cannot be acknowledged"
        help = f"fix what {code} says (`fleetc explain {code}`), and remove it here"
    else:
        message = f"allow names {code}, but no warning {code} is raised"
        message += allowance.where
        help = (
            "remove it: an allowance kept after its cause went away would hide"
            " the cause's return"
        )
    return warning("F091", message, allowance.entry, help=help)
