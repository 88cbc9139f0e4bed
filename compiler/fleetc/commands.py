"""The commands: each compiles with the pure core, then writes, compares or builds."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import build, frontend
from .compare import unified_diff
from .diagnostics import error
from .pipeline import Placement, Result, compile, lock_path
from .report import print_diagnostics
from .source import Source
from .exclusive import exclusive
from .writer import LockFile, WriteRefused, write_file_atomically, write_tree

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_NIX = 0, 1, 2, 3


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
    command = COMMANDS[args.command]
    if not hasattr(args, "fleets"):
        return command(args)
    codes = [command(argparse.Namespace(**vars(args), fleet=f)) for f in args.fleets]
    return max(codes)


def read(path: Path) -> Source | int:
    try:
        return Source(str(path), path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as problem:
        reason = getattr(problem, "strerror", None) or str(problem)
        print(f"fleetc: cannot read {path}: {reason}", file=sys.stderr)
        return EXIT_USAGE


def compile_fleet(args) -> Compiled | int:
    """Compile and print diagnostics; an exit code when the fleet cannot be used."""
    source = read(args.fleet)
    if isinstance(source, int):
        return source
    lock_file = Path(lock_path(str(args.fleet)))
    lock = read(lock_file) if lock_file.exists() else None
    if isinstance(lock, int):
        return lock
    result = compile(source, placement(args), args.format_in, lock)
    print_diagnostics(result.diagnostics, args.format)
    if not result.ok:
        return EXIT_ERRORS
    return Compiled(result, args.fleet, lock_file, lock.text if lock else None)


def placement(args) -> Placement:
    fleet_dir = args.fleet.resolve().parent
    out = args.out.resolve() if args.out else None
    return Placement(
        PurePosixPath(fleet_dir.as_posix()),
        repo_root(fleet_dir),
        PurePosixPath(out.as_posix()) if out else None,
    )


def repo_root(start: Path) -> PurePosixPath | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return PurePosixPath(directory.as_posix())
    return None


def shown(path: Path) -> str:
    """A path as users should see it: relative to the repository, else to the cwd."""
    path = path.resolve()
    root = repo_root(path if path.is_dir() else path.parent)
    try:
        return path.relative_to(str(root) if root else Path.cwd()).as_posix()
    except ValueError:
        return os.path.relpath(path)


def refuse_lock_change(compiled: Compiled) -> int:
    print(
        f"fleetc: {shown(compiled.lock_file)} would change (--locked):", file=sys.stderr
    )
    for line in compiled.result.lock_changes or ["(rewritten)"]:
        print(f"  {line}", file=sys.stderr)
    return EXIT_ERRORS


def cmd_check(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(compiled)
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
    sys.stdout.write(diff_text(compiled))
    return EXIT_OK


def cmd_generate(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    if args.check:
        return stale_check(compiled)
    code, changed = write_outputs(args, compiled)
    if code == EXIT_OK and changed and args.fail_if_changed:
        print(
            "fleetc: generated files changed; review and commit them", file=sys.stderr
        )
        return EXIT_ERRORS
    return code


def stale_check(compiled: Compiled) -> int:
    diff = diff_text(compiled)
    if not diff:
        return EXIT_OK
    sys.stdout.write(diff)
    print(
        f"fleetc: {shown(compiled.out_dir)} is stale; run `fleetc generate`",
        file=sys.stderr,
    )
    return EXIT_ERRORS


def write_outputs(args, compiled: Compiled) -> tuple[int, bool]:
    """Write the tree and the lock as one transaction; (exit code, whether anything changed).

    Under the writer's lock an interrupted run is completed first. fleet.lock is
    authoritative (it may hold machine-ids drawn at random): if that, or another
    run, changed it since this run read it, the fleet is compiled again from it.
    """
    if args.locked and compiled.lock_changed:
        return refuse_lock_change(compiled), False
    try:
        with exclusive(
            compiled.out_dir, compiled.lock_file, lambda: say_waiting(compiled)
        ):
            compiled = compiled_from_current_lock(args, compiled)
            if isinstance(compiled, int):
                return compiled, False
            if args.locked and compiled.lock_changed:
                return refuse_lock_change(compiled), False
            lock = LockFile(compiled.lock_file, compiled.result.lock_text)
            report = write_tree(
                compiled.out_dir, compiled.result.files, args.force, lock
            )
    except WriteRefused as refused:
        diagnostic = error(refused.code, str(refused), None, help=refused.help)
        print_diagnostics([diagnostic], args.format)
        return EXIT_USAGE, False
    except OSError as problem:
        print(f"fleetc: cannot write: {problem}", file=sys.stderr)
        return EXIT_USAGE, False
    say_written(compiled, report)
    return EXIT_OK, bool(report.changed or report.removed or report.lock_changed)


def say_waiting(compiled: Compiled) -> None:
    print(
        f"fleetc: waiting for another fleetc run on {shown(compiled.out_dir)}",
        file=sys.stderr,
    )


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
    print(
        f"fleetc: {shown(compiled.lock_file)} changed since it was read "
        "(an interrupted or concurrent run); compiling again",
        file=sys.stderr,
    )
    return compile_fleet(args)


def say_written(compiled: Compiled, report) -> None:
    where = shown(compiled.out_dir)
    print(
        f"fleetc: wrote {report.written} files to {where}/ ({len(report.changed)} changed)",
        file=sys.stderr,
    )
    for name in report.removed:
        print(f"fleetc: removed {where}/{name}", file=sys.stderr)
    for line in compiled.result.lock_changes:
        print(f"fleetc: {shown(compiled.lock_file)}: {line}", file=sys.stderr)


def cmd_build(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    code, _ = write_outputs(args, compiled)
    if code != EXIT_OK:
        return code
    fleet_dir = args.fleet.resolve().parent
    try:
        outcomes, unknown = build.build(
            compiled.result.fleet,
            fleet_dir,
            compiled.out_dir,
            args.names,
            args.nix_args,
        )
    except FileNotFoundError as missing:
        print(missing, file=sys.stderr)
        return EXIT_USAGE
    if unknown:
        print(f"fleetc: no VM or host named {', '.join(unknown)}", file=sys.stderr)
        return EXIT_USAGE
    build.print_table(outcomes)
    return EXIT_NIX if any(o.result == "failed" for o in outcomes) else EXIT_OK


def cmd_convert(args) -> int:
    source = read(args.fleet)
    if isinstance(source, int):
        return source
    fleet, diagnostics = frontend.load(source, args.format_in)
    print_diagnostics(diagnostics, args.format)
    if fleet is None or any(d.is_error for d in diagnostics):
        return EXIT_ERRORS
    from .convert import to_fleet, to_toml

    text = (to_toml if args.to == "toml" else to_fleet)(fleet)
    print("fleetc: comments are not carried over by convert", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_file_atomically(args.output, text)
    return EXIT_OK


COMMANDS = {
    "check": cmd_check,
    "generate": cmd_generate,
    "diff": cmd_diff,
    "build": cmd_build,
    "convert": cmd_convert,
}
