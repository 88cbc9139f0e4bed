"""The commands: each compiles with the pure core, then writes, compares or builds."""

from __future__ import annotations

import argparse
import difflib
import errno
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Callable

from . import disk_facts, staging
from .disk_facts import DiskView, disk_view
from .compare import is_stale, unified_diff
from .convert_command import cmd_convert
from .diagnostics import Diagnostic, error
from .pipeline import Placement, Result, compile, lock_path
from .exclusive import exclusive
from .manifest import BadManifest
from .files import (
    EXIT_ERRORS,
    EXIT_NIX,
    EXIT_OK,
    EXIT_USAGE,
    fs_problem,
    read,
    shown,
    usage_problem,
)
from .report import Report
from .source import Source, display_path
from .twin_check import check_twin
from .writer import MANIFEST, LockFile, WriteRefused, write_tree


@dataclass(frozen=True)
class Compiled:
    """One fleet file compiled, with where its outputs go."""

    result: Result
    fleet_file: Path
    lock_file: Path
    old_lock: str | None

    @property
    def out_dir(self) -> Path:
        return Path(str(self.result.output_dir))

    @property
    def lock_changed(self) -> bool:
        return self.result.lock_text != self.old_lock


def run(args: argparse.Namespace) -> int:
    """Every fleet of the command line in turn; one report for the run."""
    report = Report(args.format, args.command)
    fleets = getattr(args, "fleets", None) or [args.fleet]
    codes = [run_one(args, fleet, report) for fleet in fleets]
    return report.finish(max(codes))


def run_one(args: argparse.Namespace, fleet: Path, report: Report) -> int:
    report.begin(display_path(fleet))
    one = argparse.Namespace(**{**vars(args), "fleet": fleet, "report": report})
    try:
        code = COMMANDS[args.command](one)
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
    """The tree cannot be read or written: a manifest that is not fleetc's is
    bad input (located, exit 1); a link or foreign file in the way, exit 2."""
    if isinstance(refusal, BadManifest):
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
    place = resolved_placement(args)
    forget = tuple(getattr(args, "forget", None) or ())
    compiled = partial(compile, source, place, args.format_in, lock, forget=forget)
    # `check` uses no generated file (a twin that disagrees asks for them)
    result = compiled(emit_files=args.command != "check")
    problem = check_outputs(args, result, place, compiled) if result.ok else None
    if isinstance(problem, int):
        return problem
    args.report.show(result.diagnostics + ([problem] if problem else []))
    if not result.ok or problem is not None:
        return EXIT_ERRORS
    compiled = Compiled(result, args.fleet, lock_file, lock.text if lock else None)
    note_compiled(args.report, compiled)
    return compiled


def read_inputs(args) -> tuple[Source, Path, Source | None] | int:
    """The fleet file, where its lock is, and the lock if there is one."""
    source = read(args.fleet, args.report)
    if isinstance(source, int):
        return source
    lock_file = Path(lock_path(str(args.fleet)))
    # lexists: a broken or looping link is read, and says what is wrong with it.
    lock = read(lock_file, args.report) if os.path.lexists(lock_file) else None
    if isinstance(lock, int):
        return lock
    return source, lock_file, lock


def check_outputs(
    args, result: Result, place: Placement, compiled: Callable[..., Result]
) -> Diagnostic | int | None:
    """Before anything is reported: the output must be a directory (or absent),
    and a twin fleet file must describe the same fleet."""
    usable_output(Path(str(result.output_dir)))
    with_files = result if result.files else partial(compiled, emit_files=True)
    return check_twin(args.fleet, result, place, args.report, shown, with_files)


def note_compiled(report: Report, compiled: Compiled) -> None:
    """Where the outputs go and what the lock gains or loses, for JSON readers."""
    report.note("output", shown(compiled.out_dir))
    report.note("lock", shown(compiled.lock_file))
    report.note("lock_changes", list(compiled.result.lock_changes))


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


def cmd_check(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(args.report, compiled)
    return EXIT_OK


def diff_text(compiled: Compiled) -> str:
    """The tree's diff and the lock's, paths relative to the repository."""
    tree = unified_diff(
        compiled.out_dir, compiled.result.files, shown(compiled.out_dir)
    )
    if not compiled.lock_changed:
        return tree
    name = shown(compiled.lock_file)
    lock = difflib.unified_diff(
        (compiled.old_lock or "").splitlines(keepends=True),
        compiled.result.lock_text.splitlines(keepends=True),
        fromfile=f"a/{name}" if compiled.old_lock is not None else "/dev/null",
        tofile=f"b/{name}",
    )
    return tree + "".join(lock)


def cmd_diff(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(args.report, compiled)
    args.report.data("diff", diff_text(compiled))
    return EXIT_OK


def cmd_generate(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.check:
        return stale_check(args.report, compiled)
    code, changed = write_outputs(args, compiled)
    if code == EXIT_OK and changed and args.fail_if_changed:
        args.report.say("fleetc: generated files changed; review and commit them")
        return EXIT_ERRORS
    return code


def stale_check(report: Report, compiled: Compiled) -> int:
    diff = diff_text(compiled)
    stale = bool(diff) or is_stale(compiled.out_dir, compiled.result.files)
    report.note("stale", stale)
    if not stale:
        return EXIT_OK
    report.data("diff", diff or "")
    if not diff:  # the files are right; only the manifest's hashes are not
        report.say(f"fleetc: {shown(compiled.out_dir)}/{MANIFEST} is stale")
    report.say(f"fleetc: {shown(compiled.out_dir)} is stale; run `fleetc generate`")
    return EXIT_ERRORS


def write_outputs(args, compiled: Compiled) -> tuple[int, bool]:
    """Write the tree and the lock as one transaction; (exit code, whether anything changed).

    Under the writer's lock an interrupted run is completed first. fleet.lock is
    authoritative (it may hold machine-ids drawn at random): if that, or another
    run, changed it since this run read it, the fleet is compiled again from it.
    """
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(args.report, compiled), False
    try:
        with exclusive(
            compiled.out_dir,
            compiled.lock_file,
            lambda: say_waiting(args.report, compiled),
        ):
            compiled = compiled_from_current_lock(args, compiled)
            if isinstance(compiled, int):
                return compiled, False
            if args.locked and compiled.lock_changed:
                return refuse_lock_change(args.report, compiled), False
            lock = LockFile(compiled.lock_file, compiled.result.lock_text)
            report = write_tree(
                compiled.out_dir, compiled.result.files, args.force, lock
            )
    except WriteRefused as refusal:
        return refused(args.report, refusal), False
    except OSError as problem:
        where = shown(compiled.out_dir)
        return fs_problem(args.report, "F031", "cannot write", problem, where), False
    say_written(args.report, compiled, report)
    return EXIT_OK, bool(report.changed or report.removed or report.lock_changed)


def say_waiting(report: Report, compiled: Compiled) -> None:
    report.say(f"fleetc: waiting for another fleetc run on {shown(compiled.out_dir)}")


def compiled_from_current_lock(args, compiled: Compiled) -> Compiled | int:
    """`compiled`, or the fleet compiled again if fleet.lock changed meanwhile."""
    try:
        on_disk = compiled.lock_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        on_disk = None
    except (OSError, UnicodeDecodeError):
        on_disk = ""  # unreadable: compile_fleet reports it
    if on_disk == compiled.old_lock:
        return compiled
    args.report.say(
        f"fleetc: {shown(compiled.lock_file)} changed since it was read "
        "(an interrupted or concurrent run); compiling again"
    )
    return compile_fleet(args)


def say_written(report: Report, compiled: Compiled, written) -> None:
    where = shown(compiled.out_dir)
    if written.changed or written.removed or written.lock_changed:
        count = len(written.changed)
        report.say(f"fleetc: wrote {count} of {written.written} files to {where}/")
    else:
        report.say(f"fleetc: {where}/ is up to date ({written.written} files)")
    for name in written.removed:
        report.say(f"fleetc: removed {where}/{name}")
    for line in compiled.result.lock_changes:
        report.say(f"fleetc: {shown(compiled.lock_file)}: {line}")
    report.note("changed", list(written.changed))
    report.note("removed", list(written.removed))


def cmd_build(args) -> int:
    from . import build  # nix and staging: only `fleetc build` needs them

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    code, _ = write_outputs(args, compiled)
    if code != EXIT_OK:
        return code
    try:
        outcomes, unknown = build.build(
            compiled.result.fleet,
            args.fleet.resolve().parent,
            compiled.out_dir,
            args.names,
            args.nix_args,
            files=compiled.result.files,
        )
    except FileNotFoundError as missing:
        return not_found(args.report, missing)
    except staging.StagingFailed as problem:
        return usage_problem(args.report, str(problem).removeprefix("fleetc: "))
    except OSError as problem:
        return fs_problem(
            args.report, "F032", "cannot stage the fleet for Nix", problem
        )
    if unknown:
        names = ", ".join(unknown)
        return usage_problem(args.report, f"no VM or host named {names}")
    show_outcomes(args.report, outcomes)
    return EXIT_NIX if any(o.result == "failed" for o in outcomes) else EXIT_OK


def not_found(report: Report, missing: FileNotFoundError) -> int:
    if missing.filename is None:  # nix is not installed: the message says so
        return usage_problem(report, str(missing).removeprefix("fleetc: "))
    return fs_problem(report, "F030", "cannot find", missing)


def show_outcomes(report: Report, outcomes: list) -> None:
    """The build table on stdout; in JSON, one entry a target."""
    from .build import table

    report.data("table", table(outcomes) + "\n")
    report.note("targets", [outcome_json(o) for o in outcomes])


def outcome_json(outcome) -> dict:
    target = outcome.target
    out = outcome.out_path or None
    return {
        "name": target.name,
        "kind": target.kind,
        "result": outcome.result,
        "out": out,
    }


COMMANDS = {
    "check": cmd_check,
    "generate": cmd_generate,
    "diff": cmd_diff,
    "build": cmd_build,
}


def cmd_plan(args) -> int:
    # review_commands uses this module, and brings the emitters: loaded on use.
    from .review_commands import cmd_plan as plan

    return plan(args)


def cmd_graph(args) -> int:
    from .review_commands import cmd_graph as graph

    return graph(args)


COMMANDS |= {"convert": cmd_convert, "plan": cmd_plan, "graph": cmd_graph}
