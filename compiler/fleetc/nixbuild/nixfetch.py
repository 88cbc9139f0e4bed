"""What Nix failed to fetch, read from its stderr, and the hint fleetc gives.

Offline (or behind a proxy), `nix eval` stops at the first flake input it
cannot download, with a message naming the URL it tried (for `github:o/r` the
API URL, which holds `o/r`). Matching the fleet's own input URLs against that
message names the input, so the hint can say which `--override-input` helps.
"""

from __future__ import annotations

import re
import threading
from typing import IO

from ..core.flake_inputs import urls as fleet_inputs
from ..core.model import Fleet

# Nix 2.8 .. 2.2x: "unable to download", git's "Could not resolve host", ...
FETCH_FAILED = re.compile(
    r"unable to download|unable to fetch|cannot fetch|failed to fetch|"
    r"Could(?:n't| not) resolve host|unable to access",
    re.IGNORECASE,
)
FORGES = ("github:", "gitlab:", "sourcehut:")


def core(url: str) -> str:
    """The part of an input URL that Nix's download error repeats."""
    bare = url.split("?", 1)[0]
    if bare.startswith(FORGES):
        return "/".join(bare.split(":", 1)[1].split("/")[:2])
    return re.sub(r"^[a-z+]+:(//)?", "", bare).rstrip("/")


def unfetched(fleet: Fleet, stderr: str) -> list[str]:
    """The inputs Nix says it could not fetch (empty: no fetch failure)."""
    failing = [line for line in stderr.splitlines() if FETCH_FAILED.search(line)]
    text = "\n".join(failing)
    return [n for n, url in fleet_inputs(fleet).items() if url and core(url) in text]


STALE_LOCK = "requires lock file changes"


def hint(fleet: Fleet, stderr: str) -> str | None:
    """One paragraph for the user, or None when no fetch failed."""
    if STALE_LOCK in stderr:
        return (
            "fleetc: flake.lock does not pin the flake's inputs as declared, and"
            " build never changes it: run `fleetc lock FLEET` and commit it"
        )
    names = unfetched(fleet, stderr)
    if not names and not any(FETCH_FAILED.search(x) for x in stderr.splitlines()):
        return None
    what = ", ".join(f"`{n}` ({fleet_inputs(fleet)[n]})" for n in names)
    override = " ".join(f"--override-input {n} PATH" for n in names or ["NAME"])
    return (
        f"fleetc: Nix could not fetch {'input ' + what if names else 'a flake input'}"
        " (offline, or a wrong URL): the targets are marked failed.\n"
        f"fleetc: build against a local checkout: fleetc build FLEET -- {override}"
    )


def tee(stream: IO[str], echo: IO[str]) -> tuple[threading.Thread, list[str]]:
    """Copy `stream` to `echo` as it comes (Nix's messages stay live) and keep it.
    Once `echo` is a closed pipe, `stream` is still read to its end: Nix must
    not block on a full pipe; fleetc's next write of its own ends the run."""
    kept: list[str] = []

    def pump() -> None:
        live = True
        for line in stream:
            live = live and echoed(line, echo)
            kept.append(line)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread, kept


def echoed(line: str, echo: IO[str]) -> bool:
    """Whether `line` reached `echo` (False: a closed pipe)."""
    try:
        echo.write(line)
        echo.flush()
    except BrokenPipeError:
        return False
    return True
