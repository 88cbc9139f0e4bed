"""Compiling the fleets of a command line with the pure core, and what every
command that reads a fleet shares: reading its inputs, where its outputs go,
the diff, and the errors a run ends with."""

from __future__ import annotations

import argparse
import errno
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable

from ..output import disk_facts
from ..output.disk_facts import DiskView, disk_view
from ..core.placement import ShareFacts
from ..output.share_facts import share_facts
from ..core.diagnostics import Diagnostic, error, has_errors
from ..core.pipeline import Result, compile, lock_path
from ..core.placement import Placement
from ..lock.lockfile import Lock, parse_lock
from ..output.owner import Owner, owner_of, owner_problem, shown_names
from ..output.tracked import tracked_warnings
from .files import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    fs_problem,
    read,
    shown,
)
from .reading import repository_of
from .report import Report
from ..core.source import Source, display_path
from ..review.twin_check import check_twin
from ..output.git_index import GitUnreadable, Unmerged
from ..output.transaction import MANIFEST, WriteRefused
from .merging import git_merge, lock_sides, unmerged_fleet_file

if TYPE_CHECKING:  # check loads neither: they read and compare the tree
    from ..output.compare import TreeChanges
    from ..output.tree_merge import TreeMerge


@dataclass(frozen=True)
class Compiled:
    """One fleet file compiled, with where its outputs go."""

    result: Result
    fleet_file: Path
    lock_file: Path
    old_lock: str | None
    owner: Owner  # how the tree's manifest names this fleet (output/owner.py)
    # A git merge in progress in the generated tree (tree_merge.py).
    tree_merge: TreeMerge | None = None

    @property
    def merging(self) -> bool:
        """Whether this run finishes a git merge (of fleet.lock or the tree)."""
        return self.result.merge is not None or self.tree_merge is not None

    @property
    def out_dir(self) -> Path:
        return Path(str(self.result.output_dir))

    @property
    def lock_changed(self) -> bool:
        return self.result.lock_text != self.old_lock


Command = Callable[[argparse.Namespace], int]


def run_fleets(args: argparse.Namespace, command: Command) -> int:
    """`command` on every fleet of the command line in turn; one report for the run."""
    report = Report(args.format, args.command)
    fleets = getattr(args, "fleets", None) or [args.fleet]
    if getattr(args, "staged", False):  # staged paths: the fleets they concern
        from .staged_paths import staged_fleets

        fleets = staged_fleets(fleets)
        if not fleets:
            report.say("fleetc: no fleet file concerns the staged paths")
            return report.finish(EXIT_OK)
    codes = [run_one(args, command, fleet, report) for fleet in fleets]
    return report.finish(max(codes))


def run_one(
    args: argparse.Namespace, command: Command, fleet: Path, report: Report
) -> int:
    report.begin(display_path(fleet))
    one = argparse.Namespace(**{**vars(args), "fleet": fleet, "report": report})
    try:
        code = command(one)
    except OSError as problem:
        # A file-system condition nothing closer handled (a full disk, a
        # directory where a file belongs, a symlink loop): one line, exit 2.
        return report.end(fs_problem(report, "F032", "cannot use", problem))
    except UnicodeEncodeError:
        return report.end(not_utf8(report, display_path(fleet)))
    except WriteRefused as refusal:  # diff, --check, build read the tree too
        return report.end(refused(report, refusal))
    return report.end(code)


def refused(report: Report, refusal: WriteRefused) -> int:
    """The tree cannot be read or written: a manifest, journal or pending list
    that is not fleetc's, or another fleet's tree, is bad input (exit 1); a
    link or foreign file in the way, exit 2."""
    if refusal.diagnostic is not None:
        report.show([refusal.diagnostic])
        return EXIT_ERRORS
    report.show([error(refusal.code, str(refusal), None, help=refusal.help)])
    return EXIT_USAGE


def not_utf8(report: Report, name: str) -> int:
    """Names are bytes, Nix files UTF-8: a directory whose name is not (the
    fleet's, the output's) cannot be written into the tree (dir=, paths)."""
    message = (
        f"cannot use {name}: a directory on its path or the output's is not"
        " named in UTF-8, and generated Nix files must be; rename it"
    )
    report.problem(error("F032", message, None, file=name))
    return EXIT_USAGE


def compile_fleet(args) -> Compiled | int:
    """Compile and report diagnostics; an exit code when the fleet cannot be used."""
    inputs = read_inputs(args)
    if isinstance(inputs, int):
        return inputs
    source, lock_file, lock = inputs
    index = git_merge(args.fleet, lock)
    lock_input = merge_input(args, index, source, lock_file, lock)
    if isinstance(lock_input, int):
        return lock_input
    place = resolved_placement(args)
    forget = tuple(getattr(args, "forget", None) or ())
    compiled = partial(
        compile, source, place, args.format_in, lock_input, forget=forget
    )
    # `check` uses no generated file (a twin that disagrees asks for them)
    result = compiled(emit_files=args.command != "check", workers=usable_cpus())
    problems = check_outputs(args, result, place, compiled) if result.ok else []
    if isinstance(problems, int):
        return problems
    args.report.show(result.diagnostics + problems)
    if not result.ok or has_errors(problems):
        return EXIT_ERRORS
    out_dir = Path(str(result.output_dir))
    try:
        tree = merged_tree(out_dir, index) if index else None
    except GitUnreadable as unreadable:
        return git_unreadable(args.report, out_dir, unreadable)
    old_lock = lock.text if lock else None
    owner = fleet_owner(args, out_dir)
    compiled = Compiled(result, args.fleet, lock_file, old_lock, owner, tree)
    note_compiled(args.report, compiled)
    return compiled


def usable_cpus() -> int:
    """The CPUs this process may run on: emitting a large fleet's files is
    split over them (emit/split.py)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def merged_tree(out_dir: Path, index: Unmerged) -> TreeMerge | None:
    from ..output.tree_merge import tree_merge  # only in a git merge

    return tree_merge(out_dir, index)


def merge_input(
    args,
    index: Unmerged | None,
    source: Source,
    lock_file: Path,
    lock: Source | None,
):
    """The lock the core reads: fleet.lock, or in an unmerged git merge its
    three versions; an exit code when the fleet file still holds markers or
    git cannot give a version."""
    if index is None:
        return lock
    problem = unmerged_fleet_file(index, source, args.fleet)
    if problem is not None:
        args.report.show([problem])
        return EXIT_ERRORS
    try:
        sides = lock_sides(index, lock_file, lock)
    except GitUnreadable as unreadable:
        return git_unreadable(args.report, lock_file, unreadable)
    return sides if sides is not None else lock


def git_unreadable(report: Report, path: Path, unreadable: GitUnreadable) -> int:
    message = f"cannot read {shown(path)} from git: {unreadable}"
    report.problem(error("F030", message, None, file=display_path(path)))
    return EXIT_USAGE


def read_inputs(args) -> tuple[Source, Path, Source | None] | int:
    """The fleet file, where its lock is, and the lock if there is one."""
    root = repository_of(args.fleet)
    source = read(args.fleet, args.report, root)
    if isinstance(source, int):
        return source
    lock_file = Path(lock_path(str(args.fleet)))
    # lexists: a broken or looping link is read, and says what is wrong with it.
    lock = read(lock_file, args.report, root) if os.path.lexists(lock_file) else None
    if isinstance(lock, int):
        return lock
    return source, lock_file, lock


def check_outputs(
    args, result: Result, place: Placement, compiled: Callable[..., Result]
) -> list[Diagnostic] | int:
    """Before anything is reported: the output must be a directory (or absent)
    of this fleet's (output/owner.py), with no journal git tracks, and a twin
    fleet file must describe the same fleet."""
    out_dir = Path(str(result.output_dir))
    usable_output(out_dir)
    found = tracked_warnings(out_dir) + owned_output(args, result.fleet, out_dir)
    if has_errors(found):
        return found
    with_files = result if result.files else partial(compiled, emit_files=True)
    twin = check_twin(args.fleet, result, place, args.report, shown, with_files)
    return twin if isinstance(twin, int) else found + ([twin] if twin else [])


def fleet_owner(args, out_dir: Path) -> Owner:
    """--out as given: a symlinked output is the same owner with or without it."""
    return owner_of(args.fleet, args.out or out_dir, shown(args.fleet), shown(out_dir))


def owned_output(args, fleet, out_dir: Path) -> list[Diagnostic]:
    """F038 when the tree there is another fleet's (`generate --force` takes
    it over); the JSON document says whose it is."""
    owner = fleet_owner(args, out_dir)
    span = None if args.out else fleet.spans.get("output") or fleet.span
    recorded, problem = owner_problem(out_dir, owner, span)
    args.report.note("owner", recorded and shown_names(owner.shown_out, recorded))
    return [problem] if problem and not getattr(args, "force", False) else []


def note_compiled(report: Report, compiled: Compiled) -> None:
    """Where the outputs go and what the lock gains or loses, for JSON readers."""
    report.note("output", shown(compiled.out_dir))
    report.note("lock", shown(compiled.lock_file))
    report.note("lock_changes", list(compiled.result.lock_changes))
    report.add_acknowledged(len(compiled.result.acknowledged))


def usable_output(out_dir: Path) -> None:
    """A file where the output directory belongs is a file-system error (raised
    for run_one to report), found before any command reads or writes there."""
    if os.path.lexists(out_dir) and not os.path.isdir(out_dir):
        raise NotADirectoryError(
            errno.ENOTDIR, os.strerror(errno.ENOTDIR), shown(out_dir)
        )


def resolved_placement(args) -> Placement:
    try:
        return placement(args)
    except RuntimeError:  # Path.resolve() meets a symlink loop (Python < 3.13)
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), args.out) from None


def placement(args) -> Placement:
    """Where the fleet lives, and what is on disk for its module files."""
    fleet_dir = args.fleet.resolve().parent
    out = args.out.resolve() if args.out else None
    repo = repo_root(fleet_dir)
    return Placement(
        PurePosixPath(fleet_dir.as_posix()),
        repo,
        PurePosixPath(out.as_posix()) if out else None,
        flake_root(args, fleet_dir, repo),
        look_up=disk_views(Path(str(repo)) if repo else None),
        for_build=args.command == "build",
        look_up_shares=share_views(Path(str(repo)) if repo else None),
    )


def disk_views(repo: Path | None) -> Callable[[list[str]], DiskView]:
    """disk_facts.disk_view for one command run. A fleet and its twin
    (twin_check compiles both) name the same module files: git is asked once,
    not twice (a git process is a twentieth of a pre-commit `fleetc check`)."""
    seen: dict[tuple[str, ...], DiskView] = {}

    def look_up(paths: list[str]) -> DiskView:
        if tuple(paths) not in seen:
            seen[tuple(paths)] = disk_view(paths, repo)
        return seen[tuple(paths)]

    return look_up


def share_views(repo: Path | None) -> Callable[[list[str]], ShareFacts]:
    """share_facts.share_facts for one command run, asked once for twins."""
    seen: dict[tuple[str, ...], ShareFacts] = {}

    def look_up(paths: list[str]) -> ShareFacts:
        if tuple(paths) not in seen:
            seen[tuple(paths)] = share_facts(paths, repo)
        return seen[tuple(paths)]

    return look_up


def flake_root(args, fleet_dir: Path, repo: PurePosixPath | None):
    """What Nix will be given: the repository; outside git, only `build` knows
    (it stages the fleet's directory); other commands cannot tell."""
    if repo is not None:
        return repo
    return PurePosixPath(fleet_dir.as_posix()) if args.command == "build" else None


def repo_root(start: Path) -> PurePosixPath | None:
    found = disk_facts.repo_root(start)
    return PurePosixPath(found.as_posix()) if found else None


def refuse_lock_change(report: Report, compiled: Compiled) -> int:
    """--locked: fleet.lock would change; an error naming each change."""
    changes = compiled.result.lock_changes or ["(rewritten)"]
    message = f"{shown(compiled.lock_file)} would change (--locked):"
    message += "".join(f"\n  {line}" for line in changes)
    help = "run `fleetc generate` without --locked and commit fleet.lock"
    file = display_path(compiled.lock_file)
    report.problem(error("F805", message, None, help=help, file=file))
    return EXIT_ERRORS


def tree_changes(compiled: Compiled) -> TreeChanges:
    """What differs between the tree on disk and the compiled one (read once)."""
    from ..output.compare import changes

    result = compiled.result
    return changes(compiled.out_dir, result.files, compiled.owner, compiled.tree_merge)


def diff_text(compiled: Compiled, found: TreeChanges | None = None) -> str:
    """The tree's diff and the lock's, paths relative to the repository;
    `found`: the tree's changes, when the caller has them already."""
    from ..output.compare import diff_of

    found = tree_changes(compiled) if found is None else found
    tree = diff_of(found, shown(compiled.out_dir))
    if not compiled.lock_changed:
        return tree
    import difflib  # loaded only for a changed lock

    name = shown(compiled.lock_file)
    lock = difflib.unified_diff(
        (compiled.old_lock or "").splitlines(keepends=True),
        compiled.result.lock_text.splitlines(keepends=True),
        fromfile=f"a/{name}" if compiled.old_lock is not None else "/dev/null",
        tofile=f"b/{name}",
    )
    return tree + "".join(lock)


def stale_check(report: Report, compiled: Compiled) -> int:
    """generate --check: exit 1, showing the diff, when the tree or lock is stale."""
    found = tree_changes(compiled)
    diff = diff_text(compiled, found)
    stale = bool(diff) or bool(found.differing)
    report.note("stale", stale)
    if not stale:
        return EXIT_OK
    report.data("diff", diff or "")
    if not diff:  # the files are right; only the manifest's hashes are not
        report.say(f"fleetc: {shown(compiled.out_dir)}/{MANIFEST} is stale")
    report.say(f"fleetc: {shown(compiled.out_dir)} is stale; run `fleetc generate`")
    return EXIT_ERRORS


def lock_of(text: str | None) -> Lock:
    """A lock compile_fleet already read without error (or none yet)."""
    return parse_lock(Source("fleet.lock", text))[0] if text else Lock()
