"""fleet.lock's last line: a checksum of everything above it.

The lock is committed, so it can be truncated (a failed copy, a bad merge, a
full disk) or edited, and a lost line is not a syntax error: the value it held
would simply be allocated again (with `machine_ids = "random"`, drawn anew),
and a locked identity would move without a word. So `render_lock` ends the
lock with `# sha256: <hex>` over the text above it, and `seal_problems` checks
it before anything is read:

- no checksum line (truncated; F806) or one that does not match (F807): an
  error, and nothing in the lock is used;
- `# sha256: edited`, written by hand: the lock was edited on purpose (to
  release a value); it is read as it stands, with a warning (F809);
- a lock of fleetc 0.1 (`version = 1`, which never had a checksum): read once,
  with a warning (F808); the next `generate` adds the checksum.
"""

from __future__ import annotations

import hashlib
import re

from ..core.diagnostics import Diagnostic, error, warning
from ..core.source import Source, Span

MARKER = "# sha256: "
EDITED = "edited"
# The whole last line, newline included: anything else is not a checksum line.
_SEAL = re.compile(r"(?:\A|(?<=\n))# sha256: ([0-9a-f]{64}|edited)\n\Z")
_LEGACY = re.compile(r"^version = 1$", re.MULTILINE)
RECOVER_HELP = (
    "fleet.lock is generated: restore it from version control "
    "(`git checkout -- fleet.lock`); if you edited it on purpose, make its last "
    "line `# sha256: edited` and fleetc reads it as it stands (a value whose "
    "line you deleted is allocated again) and writes a new checksum"
)


def seal(text: str) -> str:
    """`text` with its checksum line appended."""
    return f"{text}{MARKER}{digest(text)}\n"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sealed_by(source: Source) -> str | None:
    """The checksum (or `edited`) the lock ends with; None when it has none."""
    found = seal_line(source.text)
    return found.group(1) if found else None


def seal_line(text: str) -> re.Match | None:
    """`_SEAL.search(text)`, tried only where it can match: at the start of
    the last line. A search tries every offset of the text (80 ms of reading
    a 10,000-VM lock, twice); test_lock_fast_paths.py compares the two."""
    return _SEAL.match(text, text.rfind("\n", 0, len(text) - 1) + 1)


def seal_problems(source: Source, version: object) -> list[Diagnostic]:
    """What the checksum line says about `source`, whose `version` key is
    given (None when the TOML could not be read)."""
    found = seal_line(source.text)
    if found is None:
        return [_legacy(source)] if version == 1 else [_truncated(source)]
    if found.group(1) == EDITED:
        return [_edited(source, found)]
    if digest(source.text[: found.start()]) != found.group(1):
        return [_mismatch(source, found)]
    return []


def looks_legacy(source: Source) -> bool:
    """A lock of fleetc 0.1 (no checksum, `version = 1`), even one whose TOML
    is broken: its syntax error is then the thing to show."""
    return sealed_by(source) is None and bool(_LEGACY.search(source.text))


def _truncated(source: Source) -> Diagnostic:
    end = len(source.text)
    message = (
        "fleet.lock does not end with its checksum line: it was truncated or "
        "edited, and a value it lost would be allocated again"
    )
    label = "the last line should be `# sha256: ...`"
    span = Span(source, end, end)
    return error("F806", message, span, label=label, help=RECOVER_HELP)


def _mismatch(source: Source, found: re.Match) -> Diagnostic:
    message = (
        "fleet.lock does not match its checksum: it was edited or damaged "
        "since fleetc wrote it"
    )
    span = Span(source, found.start(1), found.end(1))
    return error("F807", message, span, help=RECOVER_HELP)


def _legacy(source: Source) -> Diagnostic:
    message = (
        "fleet.lock has no checksum (written by fleetc 0.1): it is read as it "
        "stands, once; the next `fleetc generate` adds one"
    )
    help = "check that it is the lock version control holds, then run generate"
    return warning("F808", message, _version_span(source), help=help)


def _edited(source: Source, found: re.Match) -> Diagnostic:
    message = (
        "fleet.lock was edited by hand (`# sha256: edited`): it is read as it "
        "stands; the next `fleetc generate` writes a new checksum"
    )
    span = Span(source, found.start(1), found.end(1))
    return warning("F809", message, span)


def _version_span(source: Source) -> Span:
    found = _LEGACY.search(source.text)
    return Span(source, *(found.span() if found else (0, 0)))


# Characters a header comment cannot hold as they are: a newline would end the
# comment (and the rest of the name would be TOML), and TOML allows no other
# control character in a comment. Unicode line breaks would split diffs.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def comment_safe(text: str) -> str:
    """`text` for one comment line: unsafe characters (and `\\`) escaped."""

    def escape(match: re.Match) -> str:
        char = match.group()
        return "\\\\" if char == "\\" else f"\\u{ord(char):04x}"

    return _UNSAFE.sub(escape, text)
