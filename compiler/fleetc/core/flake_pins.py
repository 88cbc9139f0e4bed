"""flake.lock read back: Nix's lock file, which fleetc reads and never edits.

Nix writes it (`fleetc lock` and `update` run `nix flake lock`); fleetc reads
which inputs it pins, to say when it lacks one the fleet declares or holds
one the fleet dropped, and to show old -> new revisions. It is committed, so
untrusted: anything but Nix's JSON shape is refused with the reason, never
half read. Only the root node's inputs matter here; the nodes of inputs'
own inputs are Nix's business.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl

NAME = "flake.lock"
# Real locks are kilobytes; a file this large is not one, and is not read.
MAX_BYTES = 16 << 20
FORGES = ("github", "gitlab", "sourcehut")
REV = re.compile(r"[0-9a-f]{40}\Z")


class BadFlakeLock(ValueError):
    """Not a lock file Nix wrote: the reason, for a diagnostic."""


@dataclass(frozen=True)
class Pin:
    """One input of the root flake as the lock holds it."""

    name: str
    original: dict | None = None  # the URL as Nix parsed it (None: follows)
    locked: dict | None = None
    follows: str | None = None  # "a/b": the input follows another

    @property
    def url(self) -> str | None:
        return url_of(self.original) if self.original is not None else None

    @property
    def revision(self) -> str:
        """What a person compares: a short rev (or hash) and the date."""
        if self.follows is not None:
            return f"follows {self.follows}"
        locked = self.locked or {}
        rev = locked.get("rev") or locked.get("narHash") or "?"
        short = rev[:12] if REV.match(str(rev)) else str(rev)[:19]
        when = locked.get("lastModified")
        if isinstance(when, int) and 0 <= when < 1 << 40:
            day = datetime.fromtimestamp(when, timezone.utc).date().isoformat()
            return f"{short} ({day})"
        return short


def parse(text: str) -> dict[str, Pin]:
    """Input name -> Pin for the root flake; BadFlakeLock when `text` is not
    a lock file of Nix's shape."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as problem:
        raise BadFlakeLock(f"not JSON ({problem})") from None
    nodes, root = _nodes_and_root(document)
    inputs = root.get("inputs", {})
    if not isinstance(inputs, dict):
        raise BadFlakeLock("the root node's `inputs` is not an object")
    return {name: _pin(nodes, name, target) for name, target in inputs.items()}


def _nodes_and_root(document) -> tuple[dict, dict]:
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), dict):
        raise BadFlakeLock("no `nodes` object")
    nodes = document["nodes"]
    root = nodes.get(document.get("root"))
    if not isinstance(root, dict):
        raise BadFlakeLock("no root node (`root` names no node)")
    return nodes, root


def _pin(nodes: dict, name: str, target) -> Pin:
    if isinstance(target, list) and all(isinstance(p, str) for p in target):
        return Pin(name, follows="/".join(target))
    node = nodes.get(target) if isinstance(target, str) else None
    if not isinstance(node, dict):
        raise BadFlakeLock(f"input `{name}` names no node")
    original, locked = node.get("original"), node.get("locked")
    if not isinstance(original, dict) or not isinstance(locked, dict):
        raise BadFlakeLock(f"input `{name}` has no `original` and `locked` objects")
    return Pin(name, original, locked)


def url_of(original: dict) -> str:
    """A flake URL for Nix's parsed form of it (as `nix flake metadata` prints)."""
    kind = original.get("type")
    params = {k: v for k, v in original.items() if k not in ("type",)}
    if kind in FORGES:
        path = f"{params.pop('owner', '')}/{params.pop('repo', '')}"
        rev = params.pop("rev", None) or params.pop("ref", None)
        return f"{kind}:{path}{'/' + str(rev) if rev else ''}{_query(params)}"
    if kind in ("git", "mercurial"):
        url = str(params.pop("url", ""))
        return f"{'git' if kind == 'git' else 'hg'}+{url}{_query(params)}"
    if kind == "path":
        return f"path:{params.pop('path', '')}{_query(params)}"
    if kind in ("tarball", "file"):
        return str(params.pop("url", "")) + _query(params)
    if kind == "indirect":
        return str(params.pop("id", "")) + _query(params)
    return json.dumps(original, sort_keys=True)


def _query(params: dict) -> str:
    pairs = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return f"?{pairs}" if pairs else ""


def same_source(declared: str, original: dict) -> bool | None:
    """Whether the fleet's URL is the one the lock was made from; None when
    fleetc cannot tell (a URL form it does not parse as Nix does)."""
    parsed = parsed_url(declared)
    if parsed is None:
        return None
    return parsed == {k: str(v) for k, v in original.items()}


def parsed_url(url: str) -> dict | None:
    """Nix's parsed form of the common URL forms, values as strings."""
    base, _, query = url.partition("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not set(params) <= {"ref", "rev", "dir", "host"}:
        return None
    scheme, colon, rest = base.partition(":")
    if not colon:
        return None
    if scheme in FORGES:
        return _forge(scheme, rest, params)
    if scheme.startswith("git+"):
        return {"type": "git", "url": f"{scheme[4:]}:{rest}", **params}
    if scheme == "path" and not params.keys() - {"dir"}:
        return {"type": "path", "path": rest, **params}
    return None


def _forge(scheme: str, rest: str, params: dict) -> dict | None:
    parts = rest.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        return None
    found = {"type": scheme, "owner": parts[0], "repo": parts[1], **params}
    if len(parts) == 3:
        found["rev" if REV.match(parts[2]) else "ref"] = parts[2]
    return found
