"""What the hostile-repository test holds a run to (tests/support/hostile.py),
besides the audit hook's verdicts: its end (an exit status of 0..3, SIGPIPE's
when its stdout was closed; no traceback, no hang), what it printed (never
the sentinel's or a private file's content), what it left in the tree (no
such content; every `rm -rf` the tree would run directly under state_dir)."""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from pathlib import Path

from tests.support import hostile_audit as audit
from tests.support.hostile_repo import Site

EXIT_CODES = frozenset({0, 1, 2, 3})
# A closed stdout ends as a shell expects of a writer whose reader left:
# killed by SIGPIPE, or 128 + SIGPIPE.
CLOSED_PIPE_EXITS = frozenset({141})


def judge(site: Site, run: audit.Run) -> list[str]:
    """What went wrong in one run (nothing: an empty list)."""
    problems = [violation(event) for event in run.violations]
    problems += ended_badly(run)
    said = run.stdout + run.stderr
    if b"Traceback" in run.stderr or b"Exception ignored" in run.stderr:
        problems.append("a traceback: " + last_line(run.stderr))
    for marker in (site.marker, site.private_marker):
        if marker.encode() in said:
            problems.append(f"printed {marker[:7]}: what it must never read")
    for line in run.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith("HOSTILE-STAGING-LEAK"):
            problems.append(line)
    return problems


def violation(event: dict) -> str:
    where = event.get("path")
    if event.get("resolved") != where:
        where = f"{where} (really {event.get('resolved')})"
    return f"{event['kind']} outside what fleetc may touch: {where} [{event['event']}]"


def ended_badly(run: audit.Run) -> list[str]:
    if run.timed_out:
        return [f"still running after {run.seconds:.0f} s (killed)"]
    if run.signal is not None:
        pipe = run.command.closed_stdout and run.signal == 13
        return [] if pipe else [f"killed by signal {run.signal}"]
    if run.exit is None:
        return ["the audit's driver failed: " + last_line(run.stderr)]
    allowed = EXIT_CODES | (CLOSED_PIPE_EXITS if run.command.closed_stdout else set())
    return [] if run.exit in allowed else [f"exit status {run.exit}"]


def last_line(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""


def leaked_into_tree(site: Site) -> list[str]:
    """The sentinel's or a private file's content in the written tree or lock."""
    found = []
    places = [site.lock(fleet) for fleet in site.fleets]
    for directory, _, files in os.walk(site.out_dir):  # links not followed
        places += [Path(directory, name) for name in files]
    for path in places:
        data = small_regular(path)
        for marker in (site.marker, site.private_marker):
            if data is not None and marker.encode() in data:
                found.append(f"{marker[:7]} written into {path.relative_to(site.repo)}")
    return found


# A retired VM's state deletion in a generated host module (emit/retired.py),
# inside a Nix string: the shell word runs to the string's `\n`.
RM_RF = re.compile(r"rm -rf --one-file-system -- (.*?)(?:\\n|$)", re.M)
STATE_DIR = "/var/lib/microvms"  # every sample's


def removals_escaping(site: Site) -> list[str]:
    """Every `rm -rf` the tree would run removes a directory directly under
    state_dir (issue 18: whatever fleet.lock names)."""
    found = []
    for directory, _, files in os.walk(site.out_dir):
        for name in files:
            data = small_regular(Path(directory, name)) or b""
            text = data.decode("utf-8", "replace")
            found += [f"rm -rf of {w!r}" for w in RM_RF.findall(text) if escapes(w)]
    return found


def escapes(nix_word: str) -> bool:
    shell = nix_word.replace('\\"', '"').replace("\\$", "$").replace("\\\\", "\\")
    try:
        words = shlex.split(shell)
    except ValueError:
        return True
    if len(words) != 1:
        return True
    path = words[0]
    parent, leaf = posixpath.split(path)
    bad_leaf = leaf in ("", ".", "..") or leaf.startswith("-")
    return parent != STATE_DIR or bad_leaf or posixpath.normpath(path) != path


def small_regular(path: Path) -> bytes | None:
    try:
        status = os.lstat(path)
    except OSError:
        return None
    if not (path.is_file() and not path.is_symlink()) or status.st_size > 1 << 24:
        return None
    return path.read_bytes()
