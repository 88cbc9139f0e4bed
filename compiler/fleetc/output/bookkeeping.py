"""The writer's own files read back: the journal and the pending list are input.

A killed run leaves `.fleetc-journal.json` or `.fleetc-pending.json` in the
output directory, and the next run acts on what they say (transaction.py): it
renames temps into place, unlinks files, removes directories. Both are files
in the user's repository, which a pull request can commit or plant like any
other, so `recover` judges the whole file before it touches anything, and
refuses at the entry (exit 1) a file fleetc did not write:

- read as the manifest is: a regular file, never through a link (F040), at
  most transaction.READ_LIMIT bytes, UTF-8 JSON of exactly the shape fleetc
  writes, a nesting bomb included (F046);
- every name a normalised path inside the output directory, without control
  characters, `.git` or a link on the way; the one absolute name allowed is
  fleet.lock beside this run's fleet file; a temp is fleetc's name for its
  target (`vms/.web.nix.fleetc-new`); a directory is one the run created for
  its temps, or one its removals may leave empty (F047);
- a file a journal replaces or removes, while it is still there, is one the
  manifest on disk owns (F048): the journal renames the manifest last.

Both files are renamed into place whole, so a torn one is never fleetc's.
"""

from __future__ import annotations

import os
from json.decoder import scanstring
from pathlib import Path
from typing import Iterator

from ..core.diagnostics import error
from ..core.source import Source, Span
from . import transaction
from .transaction import (
    JOURNAL,
    JOURNAL_TEMP,
    MANIFEST,
    PENDING,
    PENDING_TEMP,
    READ_LIMIT,
    READ_LIMIT_SHOWN,
    TEMP_SUFFIX,
    BadInput,
    temp_name,
)
from .manifest import CONTROL, HASH, load_json, name_problem, quoted
from .manifest import shown_name, span_at
from .own_files import HELP, IsLock, Problem, journal_on_disk
from .tree import kind
from .own_files import pending_on_disk, read_own


class BadBookkeeping(BadInput):
    """A journal or pending list fleetc did not write; nothing was touched."""


def recover(out_dir: Path, lock_file: Path | None) -> bool:
    """Finish or clean up an interrupted run; True when a journal was rolled
    forward. Each file is judged whole before anything is touched."""
    found = read_journal(out_dir, lock_file)
    if found is not None:
        transaction.roll_forward(out_dir, found)
        return True
    pending = read_pending(out_dir, lock_file)
    if pending is not None:
        transaction.clean_pending(out_dir, *pending)
    else:
        _remove_stray_temps(out_dir)
    return False


def _remove_stray_temps(out_dir: Path) -> None:
    """A run killed while writing its pending list: that list's temp (and any
    journal temp) are fleetc's fixed names; only a file or link is removed."""
    for name in (PENDING_TEMP, JOURNAL_TEMP):
        if kind(out_dir / name) in ("file", "link"):
            (out_dir / name).unlink(missing_ok=True)


def read_journal(out_dir: Path, lock_file: Path | None) -> dict | None:
    """The journal, judged fleetc's; None when there is none."""
    source, document = _read(out_dir, JOURNAL)
    if source is None:
        return None
    found = _journal_shape(document)
    if found is None:
        raise _refused(source, "F046", "not the shape of a fleetc journal", 0)
    is_lock = _lock_matcher(lock_file)
    _raise_first(source, _journal_names(found, is_lock))
    _raise_first(source, journal_on_disk(out_dir, found, is_lock))
    return found


def read_pending(out_dir: Path, lock_file: Path | None) -> tuple | None:
    """(temps, directories) of the pending list, judged fleetc's; None when
    there is none."""
    source, document = _read(out_dir, PENDING)
    if source is None:
        return None
    found = _pending_shape(document)
    if found is None:
        raise _refused(source, "F046", "not the shape of a fleetc pending list", 0)
    _raise_first(source, _pending_names(*found, _lock_matcher(lock_file)))
    _raise_first(source, pending_on_disk(out_dir, *found))
    return found


def _read(out_dir: Path, name: str) -> tuple[Source | None, object]:
    data = read_own(out_dir / name)
    if data is None:
        return None, None
    text = data[: READ_LIMIT + 1].decode("utf-8", "replace")
    source = Source(shown_name(out_dir / name), text)
    if len(data) > READ_LIMIT:
        raise _refused(source, "F046", f"larger than {READ_LIMIT_SHOWN}", 0)
    refused = lambda why, at: _refused(source, "F046", why, at)  # noqa: E731
    return source, load_json(source, data, refused)


def _journal_shape(document: object) -> dict | None:
    """The journal as journal.commit writes it, or None."""
    if not isinstance(document, dict) or set(document) != {
        "renames",
        "unlinks",
        "prune",
    }:
        return None
    renames, unlinks = document["renames"], document["unlinks"]
    prune = document["prune"]
    if not (_pairs(renames) and _pairs(unlinks) and _strings(prune)):
        return None
    return {
        "renames": [tuple(pair) for pair in renames],
        "unlinks": [tuple(pair) for pair in unlinks],
        "prune": prune,
    }


def _pending_shape(document: object) -> tuple[list, list] | None:
    if not isinstance(document, dict) or set(document) != {"temps", "dirs"}:
        return None
    temps, dirs = document["temps"], document["dirs"]
    return (temps, dirs) if _strings(temps) and _strings(dirs) else None


def _pairs(value: object) -> bool:
    return isinstance(value, list) and all(
        _strings(pair) and len(pair) == 2 for pair in value
    )


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


# What the names may be (the file alone).


def _journal_names(found: dict, is_lock: IsLock) -> Iterator[Problem]:
    for temp, name in found["renames"]:
        problem = _target_problem(name, is_lock)
        if problem is None and temp != temp_name(name):
            problem = f"`{quoted(temp)}` is not fleetc's temporary name for it"
            name = temp
        if problem is not None:
            yield "F047", name, problem
    for name, hash in found["unlinks"]:
        yield from _tree_name("F047", name)
        if not HASH.fullmatch(hash):
            yield "F046", hash, f"the hash of `{quoted(name)}` is not a sha256"
    emptied = _parents([name for name, _ in found["unlinks"]])
    for name in found["prune"]:
        yield from _directory(name, emptied, "its removals may leave empty")


def _pending_names(temps: list, dirs: list, is_lock: IsLock) -> Iterator[Problem]:
    for temp in temps:
        target = _target_of(temp)
        problem = (
            f"`{quoted(temp)}` is not a name fleetc gives a temporary file"
            if target is None
            else _target_problem(target, is_lock)
        )
        if problem is not None:
            yield "F047", temp, problem
    made = _parents([temp for temp in temps if not temp.startswith("/")])
    for name in dirs:
        yield from _directory(name, made, "its temporary files are in")


def _directory(name: str, allowed: set[str], why: str) -> Iterator[Problem]:
    found = list(_tree_name("F047", name))
    yield from found
    if not found and name not in allowed:
        yield "F047", name, f"`{quoted(name)}` is not a directory {why}"


def _tree_name(code: str, name: str) -> Iterator[Problem]:
    problem = name_problem(name)[1]
    if problem is not None:
        yield code, name, _inside_output(problem)


def _inside_output(problem: str) -> str:
    """name_problem's words for the manifest, said of the output directory."""
    return problem.replace("the tree", "the output directory")


def _target_problem(name: str, is_lock: IsLock) -> str | None:
    """Why fleetc would never write `name`; None for an owned name, the
    manifest, or this fleet's fleet.lock (its only absolute name)."""
    if name == MANIFEST or is_lock(name):
        return None
    if name.startswith("/"):
        return f"`{quoted(name)}` is outside the output directory and not this fleet's lock"
    problem = name_problem(name)[1]
    return None if problem is None else _inside_output(problem)


def _target_of(temp: str) -> str | None:
    """The file `temp` stands for (`vms/.web.nix.fleetc-new` -> `vms/web.nix`),
    None when it is not a name journal.temp_name gives."""
    head, slash, tail = temp.rpartition("/")
    base = tail[1 : -len(TEMP_SUFFIX)]
    if not (tail.startswith(".") and tail.endswith(TEMP_SUFFIX) and base):
        return None
    return f"{head}{slash}{base}"


def _parents(names: list[str]) -> set[str]:
    found = set()
    for name in names:
        parts = name.split("/")[:-1]
        found.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return found


def _lock_matcher(lock_file: Path | None) -> IsLock:
    """Whether an absolute name is this run's fleet.lock (or its temp's
    target), as the run that wrote the journal named it (writer._plan_lock:
    absolute); its directory compared resolved, as another working directory
    may reach it another way."""
    if lock_file is None:
        return lambda name: False
    real_dir = os.path.realpath(os.path.dirname(os.path.abspath(lock_file)))

    def is_lock(name: str) -> bool:
        head, _, tail = name.rpartition("/")
        if (
            not name.startswith("/")
            or name != os.path.normpath(name)
            or CONTROL.search(name)
        ):
            return False
        return tail == lock_file.name and os.path.realpath(head or "/") == real_dir

    return is_lock


# Refusals.


def _raise_first(source: Source, problems: Iterator[Problem]) -> None:
    for code, entry, problem in problems:
        raise _located(source, code, problem, _entry_span(source, entry))


def _refused(source: Source, code: str, problem: str, offset: int) -> BadBookkeeping:
    return _located(source, code, problem, span_at(source, offset))


def _located(source: Source, code: str, problem: str, span: Span) -> BadBookkeeping:
    what = "journal" if source.name.endswith(JOURNAL) else "pending list"
    message = f"not a fleetc {what}: {problem}"
    if code == "F046":
        message = f"{source.name} is {message}"
    return BadBookkeeping(error(code, message, span, help=HELP))


def _entry_span(source: Source, entry: str) -> Span:
    """Where the JSON string `entry` is first written (its first character
    when it cannot be told)."""
    text = source.text
    at = text.find('"')
    while at != -1:
        try:
            value, end = scanstring(text, at + 1)
        except ValueError:
            break
        if value == entry:
            return Span(source, at, end)
        at = text.find('"', end)
    return span_at(source, 0)
