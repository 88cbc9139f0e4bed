"""The result cache: a fleet nothing has changed for is not compiled again.

pre-commit runs `fleetc check` on every commit, and most commits do not touch
the fleet. At 10,000 VMs a compile takes seconds in CPython where the
hand-written Nix check takes 0.1 s (docs/speed.md): that gap is closed by not
compiling what was compiled already, as black, ruff and mypy do.

What is remembered: a `check`, and a `generate` that changed nothing, as the
run's report (memo_calls.py) and every fact it read (memo_facts.py), under a
key made of fleetc's own files, the command line and the working directory. A
later run with that key looks at each fact again; when all hold it tells the
remembered report again, without loading the compiler. Anything else (a fact
that changed, a damaged entry, a cache directory it cannot use) and the run is
done in full, exactly as without a cache.

Where: `$FLEETC_CACHE_DIR`, else `$XDG_CACHE_HOME/fleetc`, else
`~/.cache/fleetc`: fleetc's own directory, outside the repository. One not
owned by the user or writable by others is not used (its entries could say a
fleet is fine). `--no-cache` or `FLEETC_NO_CACHE=1` turn the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import site
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .memo_calls import Recording, prepared, replay, replayable
from .memo_facts import observe, racy, text_hash
from .report import Report
from .source import Source, display_path

ENTRIES = 256  # entries kept; the oldest go first
ENTRY_BYTES = 64 << 20  # and at most this much (a 10,000-VM no-op's is ~1.5 MB)
PARTIAL = ".partial"  # an entry being written; one older than an hour was cut short
PARTIAL_NS = 3600 * 10**9
FORMAT = 1
# Not part of what a run does, so not part of its key.
UNKEYED = {"fleet", "fleets", "report", "nix_args", "no_cache"}
# Cheap and most likely to change first: a changed fleet file is found at once.
ORDER = {"text": 0, "twin": 1, "resolve": 2, "repo": 2, "kind": 3, "disk": 4}


def enabled(args) -> bool:
    """`check` and `generate` (with --check too: pre-commit's fleetc-check hook)."""
    wanted = args.command in ("check", "generate")
    off = getattr(args, "no_cache", False) or os.environ.get("FLEETC_NO_CACHE")
    return wanted and not off


def replayed(args) -> int | None:
    """The exit code of the remembered run of every fleet on the command line
    (told again), or None when any must be run."""
    if not enabled(args):
        return None
    fleets = getattr(args, "fleets", None) or [args.fleet]
    found = [remembered(args, fleet) for fleet in fleets]
    if None in found:
        return None
    report, codes = Report(args.format, args.command), []
    for fleet, (calls, code) in zip(fleets, found, strict=True):
        report.begin(display_path(fleet))
        replay(calls, report)
        codes.append(report.end(code))
    return report.finish(max(codes))


def recording(args, report: Report) -> Recording | None:
    return Recording(report, time.time_ns()) if enabled(args) else None


def remember(args, fleet: Path, run: Recording, code: int) -> None:
    """Keep the run, if it can be told again as it was (module doc)."""
    if not worth_keeping(run, code):
        return
    entry_file = entry_path(args, fleet)
    if entry_file is not None:
        facts = sorted(run.facts.items(), key=lambda f: ORDER.get(f[0][0], 9))
        names = {read: source.name for read, source in run.sources.items()}
        entry = {"format": FORMAT, "facts": [[*k, v] for k, v in facts]}
        store(entry_file, entry | {"names": names, "calls": run.calls, "exit": code})


def worth_keeping(run: Recording, code: int) -> bool:
    """A run that wrote nothing, with or without fleet errors or a stale tree.
    Never a run that met a file-system or usage problem (exit 2), whose causes
    are not all facts, nor one with a stat too fresh to trust."""
    if run.wrote or code not in (0, 1):
        return False
    stats = [v for (kind, _), v in run.facts.items() if kind == "stat"]
    fresh = any(racy(value, run.started_ns) for value in stats)
    return replayable(run) and not fresh


def remembered(args, fleet: Path) -> tuple[list, int] | None:
    """The run's report calls, ready, and its exit code, if every fact still
    holds. An entry is fleetc's own, but whatever is wrong with it (a full disk
    cut it short, an older fleetc wrote it) only means compiling in full."""
    path = entry_path(args, fleet)
    entry = load(path) if path is not None else None
    if entry is None:
        return None
    try:
        texts = still_read(entry)
        return (
            None if texts is None else (prepared(entry["calls"], texts), entry["exit"])
        )
    except (ValueError, TypeError, KeyError, IndexError, OSError):
        return None


def still_read(entry: dict) -> dict[str, Source] | None:
    """The files the run read, read again; None as soon as a fact differs."""
    texts = {}
    for kind, subject, value in entry["facts"]:
        if kind == "text" and value not in ("absent", "unreadable"):
            text = read_again(subject, value)
            if text is None:
                return None
            texts[subject] = Source(entry["names"][subject], text)
        elif observe(kind, subject) != value:
            return None
    return texts


def read_again(path: str, digest: str) -> str | None:
    """The file's text, if it is still what the run read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return text if text_hash(text) == digest else None


def load(path: Path) -> dict | None:
    try:
        entry = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not (isinstance(entry, dict) and entry.get("format") == FORMAT):
        return None
    wanted = {"facts": list, "names": dict, "calls": list, "exit": int}
    return (
        entry if all(isinstance(entry.get(k), t) for k, t in wanted.items()) else None
    )


def store(path: Path, entry: dict[str, Any]) -> None:
    """Written whole or not at all; the cache is an optimisation, so a failure
    to write it is no failure of the run."""
    temporary = path.with_name(f".{path.stem}.{os.getpid()}{PARTIAL}")
    try:
        temporary.write_text(json.dumps(entry, separators=(",", ":")))
        os.replace(temporary, path)
        prune(path.parent)
    except (OSError, ValueError):
        temporary.unlink(missing_ok=True)


def prune(directory: Path) -> None:
    """At most ENTRIES entries and ENTRY_BYTES: the oldest are removed (a hit
    writes nothing, not even a time stamp, so age is since it was written)."""
    found = list(os.scandir(directory))
    for left in (e for e in found if e.name.endswith(PARTIAL)):
        if left.stat().st_mtime_ns < time.time_ns() - PARTIAL_NS:
            os.unlink(left.path)  # its writer was killed
    entries = [e for e in found if e.name.endswith(".json")]
    entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
    total = 0
    for count, entry in enumerate(entries, 1):
        total += entry.stat().st_size
        if count > ENTRIES or total > ENTRY_BYTES:
            os.unlink(entry.path)


def entry_path(args, fleet: Path) -> Path | None:
    directory = cache_dir()
    if directory is None:
        return None
    return directory / f"{run_key(args, fleet)}.json"


def run_key(args, fleet: Path) -> str:
    """fleetc's files, the command line and the working directory."""
    keyed = {k: v for k, v in vars(args).items() if k not in UNKEYED}
    try:
        where = os.getcwd()
    except OSError:
        where = None
    text = json.dumps([code_fingerprint(), keyed, str(fleet), where], default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:40]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """fleetc's version and every file of the package (name, size, time): an
    edited checkout is another fleetc, whatever its version says. And Python's
    version and every installed distribution's (tomli, lark, ...): another
    parser could read the same text otherwise."""
    package = Path(__file__).parent
    seen = [__version__, sys.version, *installed()]
    for directory, dirs, files in os.walk(package, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            found = os.stat(os.path.join(directory, name))
            seen.append(f"{directory}/{name}:{found.st_size}:{found.st_mtime_ns}")
    return hashlib.sha256("\n".join(seen).encode()).hexdigest()


def installed() -> list[str]:
    """The names of the installed distributions with their versions."""
    found = []
    for directory in site.getsitepackages() + [site.getusersitepackages()]:
        if os.path.isdir(directory):
            found += [n for n in os.listdir(directory) if n.endswith(".dist-info")]
    return sorted(found)


def cache_dir() -> Path | None:
    """fleetc's cache directory, made when missing; None when it cannot be
    made, or is not safely the user's own."""
    directory = configured_dir()
    if directory is None:
        return None
    try:
        found = os.stat(directory)
    except FileNotFoundError:
        found = made(directory)
    except OSError:
        return None
    if found is None:
        return None
    own = found.st_uid == os.geteuid() and not found.st_mode & 0o022
    return directory if own and os.access(directory, os.W_OK) else None


def made(directory: Path) -> os.stat_result | None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.stat(directory)
    except OSError:
        return None


def configured_dir() -> Path | None:
    if os.environ.get("FLEETC_CACHE_DIR"):
        return Path(os.environ["FLEETC_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME", "").startswith("/"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "fleetc"
    home = os.environ.get("HOME")
    return Path(home) / ".cache" / "fleetc" if home else None
