"""The manifest read back: a committed file, so untrusted input.

`.fleetc-manifest.json` names the files fleetc owns in the generated tree. It
is committed, so a pull request can edit it, and every command that reads it
(generate and build remove what it names, diff and `generate --check` print
it) would act on whatever it says. `validate_manifest` is the one gate all of
them pass through: each name must be a normalised relative path inside the
tree, of text a file name can hold, and not a file fleetc or git keeps for
itself; anything else is refused at the entry (F042..F045), never read,
printed or removed. Links on the way to a name are the reader's business
(`tree.Tree` refuses them, F040), since they are on disk, not in the file.
It is read only up to transaction.READ_LIMIT bytes, and a nesting bomb is F042,
not a RecursionError. Its `fleet` names the fleet file whose tree it is
(owner.py); manifests written before it was recorded have none.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from json.decoder import scanstring
from pathlib import Path
from typing import Callable

from ..core.diagnostics import error
from ..core.source import Source, Span, display_path
from .transaction import (
    JOURNAL,
    MANIFEST,
    PENDING,
    READ_LIMIT,
    READ_LIMIT_SHOWN,
    TEMP_SUFFIX,
    BadInput,
)

HASH = re.compile(r"[0-9a-f]{64}")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_COLON = re.compile(r"\s*:")
# fleetc's own bookkeeping files, and Nix's flake.lock (`fleetc lock` has Nix
# write it; `generate` never owns, rewrites or removes it), at the top of the tree.
RESERVED = frozenset({MANIFEST, PENDING, JOURNAL, "flake.lock"})
# A fleet file's name, relative to the output directory (a path's length).
OWNER_LIMIT = 4096
RESTORE_HELP = (
    "the manifest is generated: restore it from version control, "
    "or delete it and the files it named to start afresh"
)


class BadManifest(BadInput):
    """The manifest is not one fleetc wrote; `diagnostic` says where (exit 1)."""


@dataclass(frozen=True)
class Manifest:
    """The manifest read back: owned name -> hash, and the fleet whose tree it
    is (owner.fleet_names_from: its file by both twin names, relative to the
    tree; None in a manifest from before it was kept)."""

    files: dict[str, str]
    fleet: tuple[str, ...] | None = None


def validate_manifest(out_dir: Path, data: bytes) -> dict[str, str]:
    """Owned name -> hash, every name checked; raises BadManifest at the first
    bad entry (located in the manifest's text)."""
    return checked_manifest(out_dir, data).files


def checked_manifest(out_dir: Path, data: bytes) -> Manifest:
    """`validate_manifest`, with the fleet that owns the tree."""
    source = Source(shown_name(out_dir / MANIFEST), data.decode("utf-8", "replace"))
    if len(data) > READ_LIMIT:
        raise _refused(source, f"larger than {READ_LIMIT_SHOWN}", 0)
    document = _document(source, data)
    files = _checked_files(source, document["files"])
    return Manifest(files, _checked_owner(source, document.get("fleet")))


def manifest_owner(out_dir: Path, data: bytes) -> tuple[str, ...] | None:
    """Only the fleet the manifest names (BadManifest when it is not one
    fleetc wrote): what `check` needs, without judging every entry."""
    source = Source(shown_name(out_dir / MANIFEST), data.decode("utf-8", "replace"))
    if len(data) > READ_LIMIT:
        raise _refused(source, f"larger than {READ_LIMIT_SHOWN}", 0)
    return _checked_owner(source, _document(source, data).get("fleet"))


def _checked_owner(source: Source, fleet: object) -> tuple[str, ...] | None:
    """`fleet`: one or two names (twins) of a fleet file; only ever compared
    and shown, never opened."""
    if fleet is None:
        return None
    if isinstance(fleet, list) and 0 < len(fleet) <= 2 and all(map(_a_name, fleet)):
        return tuple(fleet)
    problem = "not a fleetc manifest: `fleet` is not the name of a fleet file"
    span = _key_span(source, "fleet")
    raise BadManifest(error("F042", problem, span, help=RESTORE_HELP))


def _a_name(name: object) -> bool:
    return (
        isinstance(name, str)
        and 0 < len(name) <= OWNER_LIMIT
        and not CONTROL.search(name)
        and encodable(name)
    )


def _checked_files(source: Source, files: dict) -> dict[str, str]:
    for name, hash in files.items():
        code, problem = name_problem(name)
        if problem is None and not (isinstance(hash, str) and HASH.fullmatch(hash)):
            code, problem = "F042", f"the hash of `{quoted(name)}` is not a sha256"
        if problem is not None:
            message = f"not a fleetc manifest: {problem}"
            span = _key_span(source, name)
            raise BadManifest(error(code, message, span, help=RESTORE_HELP))
    return files


def name_problem(name: str) -> tuple[str, str | None]:
    """(code, why `name` cannot be an owned file) or (code, None) when it can."""
    if CONTROL.search(name) or not encodable(name):
        return "F044", f"`{quoted(name)}` holds a control character or is not UTF-8"
    if name.startswith("/"):
        return (
            "F043",
            f"`{quoted(name)}` is an absolute path, not a path inside the tree",
        )
    parts = name.split("/")
    if ".." in parts:
        return "F043", f"`{quoted(name)}` leaves the tree (`..`)"
    if any(part in ("", ".") for part in parts):
        return "F043", f"`{quoted(name)}` is not a normalised path (empty or `.` part)"
    if ".git" in parts or name in RESERVED or parts[-1].endswith(TEMP_SUFFIX):
        return "F045", f"`{quoted(name)}` is a file fleetc, Nix or git keeps for itself"
    return "F043", None


def _document(source: Source, data: bytes) -> dict:
    """The manifest's object, holding a `files` object; BadManifest when the
    file is not one."""
    document = load_json(source, data, lambda why, at: _refused(source, why, at))
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, dict):
        raise _refused(source, "no `files` object", 0)
    return document


def load_json(
    source: Source, data: bytes, refused: Callable[[str, int], Exception]
) -> object:
    """`data` as JSON, a key twice refused; `refused(problem, offset)` is what
    is raised when it is not (a bookkeeping file of fleetc's, read back)."""
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=no_twice)
    except UnicodeDecodeError as problem:
        raise refused(f"not UTF-8 (byte {problem.start})", 0) from None
    except json.JSONDecodeError as problem:
        raise refused(f"not JSON ({problem.msg})", problem.pos) from None
    except ValueError as problem:  # a key twice (no_twice)
        raise refused(str(problem), 0) from None
    except RecursionError:
        raise refused("nested too deeply", 0) from None


def no_twice(pairs: list[tuple[str, object]]) -> dict:
    """json's object hook: an entry named twice would hide the first one."""
    found = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"`{quoted(key)}` is named twice")
        found[key] = value
    return found


def _refused(source: Source, problem: str, offset: int) -> BadManifest:
    span = span_at(source, offset)
    message = f"{source.name} is not a fleetc manifest: {problem}"
    return BadManifest(error("F042", message, span, help=RESTORE_HELP))


def span_at(source: Source, offset: int) -> Span:
    """One character at `offset` (a JSON error's position), within the text."""
    offset = min(offset, len(source.text))
    return Span(source, offset, min(offset + 1, len(source.text)))


def _key_span(source: Source, name: str) -> Span:
    """Where the entry `name` is written (its last occurrence, as json reads it)."""
    found, text = (0, 0), source.text
    at = text.find('"')
    while at != -1:
        try:
            value, end = scanstring(text, at + 1)
        except ValueError:
            break
        if value == name and _COLON.match(text, end):
            found = (at, end)
        at = text.find('"', end)
    return Span(source, *found)


def quoted(name: str) -> str:
    """A name as a message may show it: control characters escaped."""
    return json.dumps(name, ensure_ascii=False)[1:-1]


def encodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a `\\ud800` escape
        return False
    return True


def shown_name(path: Path) -> str:
    """The manifest's name for diagnostics: relative to the working directory
    when it is below it, else absolute."""
    relative = os.path.relpath(path)
    return display_path(path if relative.startswith("..") else relative)
