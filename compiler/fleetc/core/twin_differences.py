"""Where twin fleet files that disagree first differ (twins.py says why they
must agree): in their generated files, a file and a line; in their models,
the first key unlike. Loaded only when twins disagree (review/twin_check.py).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

from .model import Node
from .source import Span


@dataclass(frozen=True)
class Difference:
    """Where two sets of outputs first differ: a file and a 1-based line."""

    file: str
    line: int
    mine: str | None
    theirs: str | None


def first_difference(mine: dict[str, str], theirs: dict[str, str]) -> Difference | None:
    for name in sorted(mine.keys() | theirs.keys()):
        if mine.get(name) != theirs.get(name):
            return _first_line(name, mine.get(name), theirs.get(name))
    return None


def _first_line(name: str, mine: str | None, theirs: str | None) -> Difference:
    """The first line that differs; a missing file differs at its line 1."""
    pairs = itertools.zip_longest(
        (mine or "").splitlines(), (theirs or "").splitlines()
    )
    for number, (a, b) in enumerate(pairs, 1):
        if a != b or mine is None or theirs is None:
            return Difference(name, number, a, b)
    return Difference(name, 1, None, None)  # they differ only in line endings


# -- where two models first differ ----------------------------------------------

Where = tuple[Span | None, Span | None]  # (in theirs, in mine)


def first_model_difference(mine: Node, theirs: Node) -> Where | None:
    """Where the twin's model (`theirs`) first differs from `mine`: the span
    of the differing key in each, by the order the twin was written in;
    named nodes (VMs, hosts, ...) matched by name. None when they are equal."""
    for field in dataclasses.fields(theirs):
        if not field.compare or field.name in _NOT_WRITTEN:
            continue
        ours, their = getattr(mine, field.name), getattr(theirs, field.name)
        if ours != their:
            return _values_differ(mine, theirs, field.name, ours, their)
    return None


# Model fields no file writes (twin_check compares what the files wrote).
_NOT_WRITTEN = frozenset({"retired", "source_name"})


def _values_differ(mine: Node, theirs: Node, name: str, ours, their) -> Where:
    here = (theirs.at(name), mine.at(name))
    if isinstance(ours, Node) and isinstance(their, Node) and type(ours) is type(their):
        return first_model_difference(ours, their) or here
    if _nodes(ours) and _nodes(their):
        return _lists_differ(mine, theirs, name, ours, their) or here
    return here


def _nodes(value) -> bool:
    return isinstance(value, tuple) and bool(value) and isinstance(value[0], Node)


def _lists_differ(mine: Node, theirs: Node, name: str, ours, their) -> Where | None:
    """The first element of the twin's list unlike its counterpart in mine
    (same name, else same position); one mine lacks is located itself."""
    counterparts = _by_name(ours)
    for index, node in enumerate(their):
        other = counterparts.get(_name_of(node, index))
        if other is None:
            return node.span or theirs.at(name, index), mine.at(name)
        if other != node:
            return first_model_difference(other, node) or (node.span, other.span)
    return None  # the twin lacks one of mine: the list itself differs


def _by_name(nodes: tuple) -> dict:
    return {_name_of(node, index): node for index, node in enumerate(nodes)}


def _name_of(node: Node, index: int):
    name = getattr(node, "name", None)
    return name if isinstance(name, str) else index
