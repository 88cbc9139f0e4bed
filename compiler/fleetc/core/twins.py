"""Twin fleet files: `fleet.toml` and `fleet.fleet` side by side describe one fleet.

Twins share `fleet.lock` and the output directory, so they must give the same
bytes, or tools that run on whichever changed (the pre-commit hooks) flip the
tree between them. So generated headers and the lock name the fleet by both
names (`fleet.toml or fleet.fleet`), never by the file that happened to be
read, and a command reading one twin compiles the other too and refuses (F035)
when their trees differ. This module is the pure part, and `twin_file`, which
only looks whether the twin exists; twin_check.py reads and compiles it.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .model import Node
from .source import Span

TWIN_SUFFIX = {".toml": ".fleet", ".fleet": ".toml"}


def fleet_names(file_name: str) -> str:
    """How generated files name their fleet: the same whichever twin was read."""
    return " or ".join(twin_names(file_name))


def twin_names(file_name: str) -> tuple[str, ...]:
    """The fleet's file names: both twins (`.toml` first), or the one name."""
    path = PurePosixPath(file_name)
    if path.suffix not in TWIN_SUFFIX:
        return (path.name,)
    return (f"{path.stem}.toml", f"{path.stem}.fleet")


def twin_name(file_name: str) -> str | None:
    """The other twin's file name (it may not exist); None for other suffixes."""
    path = PurePosixPath(file_name)
    other = TWIN_SUFFIX.get(path.suffix)
    return path.with_suffix(other).name if other else None


def twin_file(fleet_file: Path) -> Path | None:
    """The fleet's twin on disk (`fleet.fleet` beside `fleet.toml`), if any."""
    name = twin_name(fleet_file.name)
    twin = fleet_file.with_name(name) if name else None
    if twin is None or not os.path.lexists(twin):
        return None
    same = twin.exists() and os.path.samefile(twin, fleet_file)
    return None if same else twin


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
