"""Helpers shared by the checks: naming owners, first-seen tables, did-you-mean."""

from __future__ import annotations

import posixpath
from typing import Any, Container, Hashable, Iterable, Iterator, Union

from ..core.model import (
    Fleet,
    Host,
    HostInterface,
    Interface,
    Node,
    Share,
    Vm,
    VmDefaults,
    Volume,
)
from ..core.source import Span
from .index import index_of

Owner = Union[Host, Vm]


def owner_name(owner: Owner) -> str:
    """How diagnostics name a host or VM: "vm `web`"."""
    kind = "vm" if isinstance(owner, Vm) else "host"
    return f"{kind} `{owner.name}`"


def element_span(owner: Node, field: str, index: int, item: Node) -> Span | None:
    """A list element's span: as the list recorded it, else the element's own."""
    return owner.spans.get(f"{field}[{index}]") or item.span or owner.at(field)


def located(what: str, span: Span | None) -> str:
    return f"{what} ({span.location()})" if span is not None else what


class FirstSeen:
    """The first user of each key, so that every later user is labelled with it.

    One dict lookup per use keeps duplicate detection linear in the fleet's size.
    """

    def __init__(self) -> None:
        # key -> (what, its span, None) or (what, a node, the node's field)
        self._first: dict[Hashable, tuple[str, Any, str | None]] = {}

    def reserve(self, key: Hashable, what: str, span: Span | None = None) -> None:
        """Claim a key before the users checked: something fleetc itself adds (no
        span), or a host's own interface. Makes no label: claiming one key again
        and again must not look up a location each time."""
        self._first.setdefault(key, (what, span, None))

    def claim(self, key: Hashable, what: str, span: Span | None) -> str | None:
        """None for the first user; otherwise the label naming that first user."""
        first = self._first.get(key)
        if first is None:
            self._first[key] = (what, span, None)
            return None
        return _label(first)

    def claim_at(self, key: Hashable, what: str, node: Node, field: str) -> str | None:
        """`claim` at the node's field, whose span is read only for a label:
        a clean fleet reads none (a span lookup a use was most of a check)."""
        first = self._first.get(key)
        if first is None:
            self._first[key] = (what, node, field)
            return None
        return _label(first)


def distinct(keys: Iterable[Hashable], taken: Container[Hashable]) -> bool:
    """No key twice and none taken: a FirstSeen holding `taken` would label
    none of them, so a check can pass over them without building one."""
    seen: set[Hashable] = set()
    for key in keys:
        if key in taken or key in seen:
            return False
        seen.add(key)
    return True


def _label(first: tuple[str, Any, str | None]) -> str:
    what, where, field = first
    return "also used by " + located(what, where if field is None else where.at(field))


def is_normal(path: str) -> bool:
    """An absolute path without `//`, `/.` or a trailing `/`: posixpath.normpath
    returns it as it is, and none of its names is `.` or `..`."""
    if path[:1] != "/" or "//" in path or "/." in path:
        return False
    return path == "/" or path[-1] != "/"


def normpath(path: str) -> str:
    """posixpath.normpath, skipping its work for a path already normal (nearly
    every one)."""
    return path if is_normal(path) else posixpath.normpath(path)


def suggestion(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean" help line, or None when nothing is close."""
    from difflib import get_close_matches  # loaded only for a wrong name

    close = get_close_matches(word, list(choices), n=1)
    return f"did you mean `{close[0]}`?" if close else None


class Suggester:
    """`suggestion` over fixed choices, remembered per word.

    Each new word costs a scan of every choice, so only the first few distinct
    words get one: thousands of misspelt names must not cost quadratic time.
    """

    LIMIT = 32

    def __init__(self, choices: Iterable[str]) -> None:
        self._choices = list(choices)
        self._known: dict[str, str | None] = {}

    def __call__(self, word: str) -> str | None:
        if word not in self._known and len(self._known) < self.LIMIT:
            self._known[word] = suggestion(word, self._choices)
        return self._known.get(word)


def interfaces(fleet: Fleet) -> tuple[tuple[Owner, HostInterface | Interface], ...]:
    """Every interface with its owner: hosts' own first, so VMs' duplicates are
    the ones reported."""
    return index_of(fleet).interfaces


def vm_interfaces(fleet: Fleet) -> tuple[tuple[Vm, Interface], ...]:
    return index_of(fleet).vm_interfaces


def vm_shares(fleet: Fleet) -> tuple[tuple[Vm, Share], ...]:
    return index_of(fleet).vm_shares


def vm_volumes(fleet: Fleet) -> tuple[tuple[Vm, Volume], ...]:
    return index_of(fleet).vm_volumes


def machines(fleet: Fleet) -> tuple[Owner, ...]:
    """Hosts, then VMs: a VM clashing with a host is the one reported."""
    return index_of(fleet).machines


def own_spans(node: Node) -> Iterator[Span]:
    """Where a node and what it wrote itself are: its own span, its fields'
    and their nodes'; not the values a fallback ([defaults.vm]) gave it."""
    if node.span is not None:
        yield node.span
    for name, span in node.spans.items():
        if _written_here(node, name.split("[", 1)[0]):
            yield span
    for name, value in _node_fields(node):
        if _written_here(node, name):
            for child in value:
                yield from own_spans(child)


def _written_here(node: Node, field: str) -> bool:
    return node.written is None or field in node.written


def _node_fields(node: Node) -> Iterator[tuple[str, tuple[Node, ...]]]:
    """(field, its nodes) for each field of the node holding nodes."""
    if isinstance(node, VmDefaults):
        fields = iter(node.values)
    else:
        fields = ((name, getattr(node, name)) for name in node.__dataclass_fields__)
    for name, value in fields:
        if isinstance(value, Node):
            yield name, (value,)
        elif isinstance(value, tuple) and value and isinstance(value[0], Node):
            yield name, value
