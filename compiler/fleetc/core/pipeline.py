"""The pure core: source text in, generated files and diagnostics out.

`generate`, `diff`, `--check` and `build` all call `compile`; only the CLI
touches the disk. Passes run in the order listed in `compile`.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .. import checks, frontend
from ..allocate import Entropy, allocate, lock_changes
from ..allocate.renames import carry_renames, lookalikes
from ..lock.retire import retire
from ..lock.lockfile import Lock, parse_lock, render_lock
from .diagnostics import Diagnostic, has_errors, sort_key
from .model import Fleet
from .placement import Layout, Placement
from .source import Source

if TYPE_CHECKING:  # merging fleet.lock loads on use: a git merge is rare
    from ..lock.merge import LockMerge
    from ..lock.merge_fleet import LockSides


@dataclass(frozen=True)
class Result:
    """One compile: the fleet, its diagnostics, its files and its lock."""

    fleet: Fleet | None
    diagnostics: list[Diagnostic]
    files: dict[str, str] = field(default_factory=dict)
    output_dir: PurePosixPath | None = None
    # The lock to write beside the fleet file, and what it changes (None: no lock yet).
    lock_text: str | None = None
    lock_changes: list[str] = field(default_factory=list)
    # The fleet as the frontend read it, before allocation: two sources whose
    # models are equal compile alike (twin_check compares them first).
    loaded: Fleet | None = None
    # A git merge of fleet.lock finished by this compile (lock/merge.py).
    merge: LockMerge | None = None
    # Warnings the fleet acknowledges (`allow`): not in `diagnostics`.
    acknowledged: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def compile(
    source: Source,
    placement: Placement,
    fmt: str | None = None,
    lock: Source | LockSides | None = None,
    entropy: Entropy = os.urandom,
    forget: tuple[str, ...] = (),
    emit_files: bool = True,
    workers: int = 1,
) -> Result:
    """Every pass in order; each later pass runs only on a fleet without errors.

    `lock` is the current fleet.lock (None when there is none), or during a git
    merge its three versions (LockSides: merged, lock/merge.py); `entropy` is the
    only source of randomness (machine_ids = "random"), passed in for tests
    (os.urandom, as secrets.token_bytes, without importing secrets on every run);
    `forget`: VMs whose retirement records leave the lock (retire.py).
    `emit_files=False` (`fleetc check` without a twin) leaves `files` empty:
    emitting reports nothing, and was 40 % of a check at 10,000 VMs.
    `workers`: how many processes may emit a large fleet's files (emit.emit).
    """
    compiled = _compile(
        source, placement, fmt, lock, entropy, forget, emit_files, workers
    )
    return as_reported(compiled)


def as_reported(result: Result) -> Result:
    """A mistake of [defaults.vm] once, not once a VM; the warnings the fleet
    acknowledges (`allow`) set apart (checks/reported_once.py, allowed.py)."""
    if result.fleet is None:
        return result
    once = checks.once_at_defaults(result.fleet, result.diagnostics)
    complete = result.lock_text is not None  # every pass ran
    shown, acknowledged = checks.acknowledge(result.fleet, once, complete)
    shown.sort(key=sort_key)
    return replace(result, diagnostics=shown, acknowledged=acknowledged)


def _compile(
    source: Source,
    placement: Placement,
    fmt: str | None,
    lock: Source | LockSides | None,
    entropy: Entropy,
    forget: tuple[str, ...] = (),
    emit_files: bool = True,
    workers: int = 1,
) -> Result:
    fleet, diagnostics = frontend.load(source, fmt)
    if fleet is None:
        return _failed(None, diagnostics)
    loaded = fleet
    diagnostics += checks.run(fleet)
    diagnostics += checks.run_placed(fleet, placement)
    if has_errors(diagnostics):
        return _failed(fleet, diagnostics)
    merge, old_lock, problems = _old_lock(lock, fleet)
    diagnostics += problems
    if has_errors(diagnostics):
        return _failed(fleet, diagnostics)
    carried, problems = carry_renames(fleet, old_lock)
    diagnostics += problems + lookalikes(fleet, old_lock)
    if has_errors(diagnostics):
        return _failed(fleet, diagnostics)
    fleet, new_lock, allocated = allocate(fleet, carried, entropy)
    diagnostics += allocated + _reassigned(merge, fleet, new_lock)
    new_lock, retired = retire(fleet, old_lock, new_lock, forget)
    diagnostics += retired
    fleet = replace(fleet, retired=tuple(new_lock.retired.values()))
    # A value allocation refused (F803) or found no room for (F804) is missing
    # from the fleet: said once, there, and not again as "missing" here.
    diagnostics += [] if has_errors(allocated + retired) else checks.complete(fleet)
    if has_errors(diagnostics):
        return _failed(fleet, diagnostics)
    lock_text = render_lock(new_lock, PurePosixPath(source.name).name)
    changes = lock_changes(merge.ours if merge else old_lock, new_lock)
    # The locks as objects are done with: freed before the tree is emitted, the
    # parsed fleet.lock (25 MB at 10,000 VMs) is not part of generate's peak.
    del old_lock, carried, new_lock
    output_dir = placement.output_dir(fleet)
    where = layout(source, placement, output_dir)
    files = emitted(fleet, where, workers) if emit_files else {}
    diagnostics.sort(key=sort_key)
    return Result(
        fleet, diagnostics, files, output_dir, lock_text, changes, loaded, merge
    )


def _old_lock(
    lock: Source | LockSides | None, fleet: Fleet
) -> tuple[LockMerge | None, Lock, list[Diagnostic]]:
    """The lock allocation starts from: fleet.lock, or the merge of its sides."""
    if lock is None or isinstance(lock, Source):
        old_lock, problems = parse_lock(lock) if lock is not None else (Lock(), [])
        return None, old_lock, problems
    from ..lock.merge_fleet import merged_lock

    merge, problems = merged_lock(lock, fleet)
    return merge, merge.lock if merge else Lock(), problems


def _reassigned(merge: LockMerge | None, fleet: Fleet, new_lock: Lock):
    """F820s of a finished merge (lock/merge_fleet.py); none without one."""
    if merge is None:
        return []
    from ..lock.merge_fleet import reassigned_warnings

    return reassigned_warnings(merge, fleet, new_lock)


def emitted(fleet: Fleet, where: Layout, workers: int = 1) -> dict[str, str]:
    """The generated files; jinja2 and the emitters load only when a command
    writes or compares files (`check` of a fleet without a twin does not)."""
    from .. import emit

    return emit.emit(fleet, where, workers)


def _failed(fleet: Fleet | None, diagnostics: list[Diagnostic]) -> Result:
    return Result(fleet, sorted(diagnostics, key=sort_key))


def lock_path(fleet_file: str) -> str:
    """fleet.lock beside the fleet file (`fleet.toml` and `fleet.fleet` share one)."""
    return str(PurePosixPath(fleet_file).with_suffix(".lock"))


def layout(source: Source, placement: Placement, output_dir: PurePosixPath) -> Layout:
    back = posixpath.relpath(placement.fleet_dir, output_dir)
    in_repo = None
    if placement.repo_root is not None:
        relative = posixpath.relpath(output_dir, placement.repo_root)
        inside = relative != "." and not relative.startswith("../")
        in_repo = relative if inside else None
    return Layout(PurePosixPath(source.name).name, back, in_repo)
