"""The manifest read back: a committed file, so untrusted input.

`.fleetc-manifest.json` names the files fleetc owns in the generated tree. It
is committed, so a pull request can edit it, and every command that reads it
(generate and build remove what it names, diff and `generate --check` print
it) would act on whatever it says. `validate_manifest` is the one gate all of
them pass through: each name must be a normalised relative path inside the
tree, of text a file name can hold, and not a file fleetc or git keeps for
itself; anything else is refused at the entry (F042..F045), never read,
printed or removed. Links on the way to a name are the reader's business
(`writer.Tree` refuses them, F040), since they are on disk, not in the file.
"""

from __future__ import annotations

import json
import os
import re
from json.decoder import scanstring
from pathlib import Path

from ..core.diagnostics import Diagnostic, error
from .transaction import JOURNAL, MANIFEST, PENDING, TEMP_SUFFIX, WriteRefused
from ..core.source import Source, Span, display_path

HASH = re.compile(r"[0-9a-f]{64}")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_COLON = re.compile(r"\s*:")
# fleetc's own bookkeeping files, at the top of the tree.
RESERVED = frozenset({MANIFEST, PENDING, JOURNAL})
RESTORE_HELP = (
    "the manifest is generated: restore it from version control, "
    "or delete it and the files it named to start afresh"
)


class BadManifest(WriteRefused):
    """The manifest is not one fleetc wrote; `diagnostic` says where (exit 1)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message, diagnostic.help or "", diagnostic.code)
        self.diagnostic = diagnostic


def validate_manifest(out_dir: Path, data: bytes) -> dict[str, str]:
    """Owned name -> hash, every name checked; raises BadManifest at the first
    bad entry (located in the manifest's text)."""
    source = Source(_shown(out_dir / MANIFEST), data.decode("utf-8", "replace"))
    files = _files(source, data)
    for name, hash in files.items():
        code, problem = name_problem(name)
        if problem is None and not (isinstance(hash, str) and HASH.fullmatch(hash)):
            code, problem = "F042", f"the hash of `{_quoted(name)}` is not a sha256"
        if problem is not None:
            message = f"not a fleetc manifest: {problem}"
            span = _key_span(source, name)
            raise BadManifest(error(code, message, span, help=RESTORE_HELP))
    return files


def name_problem(name: str) -> tuple[str, str | None]:
    """(code, why `name` cannot be an owned file) or (code, None) when it can."""
    shown = _quoted(name)
    if CONTROL.search(name) or not _encodable(name):
        return "F044", f"`{shown}` holds a control character or is not UTF-8"
    if name.startswith("/"):
        return "F043", f"`{shown}` is an absolute path, not a path inside the tree"
    parts = name.split("/")
    if ".." in parts:
        return "F043", f"`{shown}` leaves the tree (`..`)"
    if any(part in ("", ".") for part in parts):
        return "F043", f"`{shown}` is not a normalised path (empty or `.` part)"
    if ".git" in parts or name in RESERVED or parts[-1].endswith(TEMP_SUFFIX):
        return "F045", f"`{shown}` is a file fleetc or git keeps for itself"
    return "F043", None


def _files(source: Source, data: bytes) -> dict:
    """The manifest's `files` object; BadManifest when the file is not one."""
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_twice)
    except UnicodeDecodeError as problem:
        raise _refused(source, f"not UTF-8 (byte {problem.start})", 0) from None
    except json.JSONDecodeError as problem:
        raise _refused(source, f"not JSON ({problem.msg})", problem.pos) from None
    except ValueError as problem:  # a key twice (_no_twice)
        raise _refused(source, str(problem), 0) from None
    except RecursionError:
        raise _refused(source, "nested too deeply", 0) from None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, dict):
        raise _refused(source, "no `files` object", 0)
    return files


def _no_twice(pairs: list[tuple[str, object]]) -> dict:
    """json's object hook: an entry named twice would hide the first one."""
    found = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"`{_quoted(key)}` is named twice")
        found[key] = value
    return found


def _refused(source: Source, problem: str, offset: int) -> BadManifest:
    offset = min(offset, len(source.text))
    span = Span(source, offset, min(offset + 1, len(source.text)))
    message = f"{source.name} is not a fleetc manifest: {problem}"
    return BadManifest(error("F042", message, span, help=RESTORE_HELP))


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


def _quoted(name: str) -> str:
    """A name as a message may show it: control characters escaped."""
    return json.dumps(name, ensure_ascii=False)[1:-1]


def _encodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a `\\ud800` escape
        return False
    return True


def _shown(path: Path) -> str:
    """The manifest's name for diagnostics: relative to the working directory
    when it is below it, else absolute."""
    relative = os.path.relpath(path)
    return display_path(path if relative.startswith("..") else relative)
