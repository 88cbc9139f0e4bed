"""Why a target failed, in one line of Nix's own words, for the build table.

Nix says it on stderr, among everything else: an evaluation error is its
first `error:` line with a message (newer Nix puts the message after a trace
that begins `error:` alone); a build failure is `error: builder for '<drv>'
failed ...`, followed by the builder's last log lines (`> ...`). A target
whose own derivation built nothing failed because a derivation it needs did:
Nix names only that one, so the target's requisites say which it was.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

# A colour or cursor sequence; any other control character of a log line.
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]+")
_BUILDER = re.compile(r"error: builder for '(/nix/store/[^']+\.drv)' failed(.*?);?$")
# Nix 2.1x and later: "error: 1 dependencies of derivation '<drv>' failed to build"
_DEPENDENCIES = re.compile(r"error: .*derivation '(/nix/store/[^']+\.drv)' failed")
# "last 10 log lines:", before the builder's log lines, each `> ...`.
_LOG_HEAD = re.compile(r"last \d+ log lines:")
_STORE_NAME = re.compile(r"/nix/store/[0-9a-z]{32}-")


def clean(line: str) -> str:
    """The line's text: without colours, and where control characters split
    it (Nix 2.8 logs a builder it could not run as a serialised record), its
    longest piece."""
    pieces = _CONTROLS.split(_ESCAPE.sub("", line))
    return max(pieces, key=lambda piece: len(piece.strip())).strip()


def first_error(stderr: str) -> str | None:
    """The first `error: MESSAGE` line's message, without the store hashes."""
    for line in stderr.splitlines():
        text = clean(line)
        if text.startswith("error:") and text[len("error:") :].strip():
            return short(text[len("error:") :].strip())
    return None


def short(text: str) -> str:
    """Store paths by their names: `broken-dep.drv`, not the hash before it."""
    return _STORE_NAME.sub("", text)


@dataclass
class Failures:
    """What Nix said failed to build: drv -> why, in the order said."""

    builders: dict[str, str] = field(default_factory=dict)  # their own builder
    needing: dict[str, str] = field(default_factory=dict)  # one they need


def build_failures(stderr: str) -> Failures:
    found = Failures()
    lines = [_ESCAPE.sub("", line).strip() for line in stderr.splitlines()]
    for index, text in enumerate(lines):
        builder = _BUILDER.match(text)
        dependencies = _DEPENDENCIES.match(text)
        if builder:
            reason = _builder_reason(builder, lines[index + 1 :])
            found.builders.setdefault(builder.group(1), reason)
        elif dependencies:
            reason = short(text[len("error:") :].strip())
            found.needing.setdefault(dependencies.group(1), reason)
    return found


def _builder_reason(builder: re.Match, after: list[str]) -> str:
    """`builder for broken-dep.drv failed with exit code 1: <its log's line>`,
    the line the most likely to say why: the first naming an error, else the
    last it wrote."""
    said = f"builder for {short(builder.group(1))} failed{builder.group(2)}"
    log = []
    for text in after[1:] if after and _LOG_HEAD.match(after[0]) else after:
        if not text.startswith(">"):
            break
        if clean(text[1:]):
            log.append(clean(text[1:]))
    if not log:
        return said
    line = next((x for x in log if "error" in x.lower()), log[-1])
    return f"{said}: {short(line)}"


def reason_for(drv: str, failures: Failures) -> str | None:
    """Why `drv` failed: its own builder, else the first builder of those it
    needs (by nix-store's requisites), else what Nix said of it; None when
    Nix said nothing."""
    if drv in failures.builders:
        return failures.builders[drv]
    needed = set(requisites(drv)) if failures.builders else set()
    for failed, why in failures.builders.items():
        if failed in needed:
            return f"{why} (needed by it)"
    return failures.needing.get(drv)


def requisites(drv: str) -> list[str]:
    """Every derivation `drv` needs, itself included (empty if nix-store fails)."""
    command = ["nix-store", "--query", "--requisites", drv]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return []
    return done.stdout.split() if done.returncode == 0 else []
