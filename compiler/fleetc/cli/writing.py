"""Writing a compiled fleet's tree and fleet.lock: one transaction, under the
writer's lock, compiled again if fleet.lock changed meanwhile."""

from __future__ import annotations


from ..output.exclusive import exclusive
from ..output.writer import LockFile, WriteRefused, write_tree
from .compiled import Compiled, compile_fleet, refuse_lock_change, refused
from .files import EXIT_OK, fs_problem, shown, universal_newlines
from .reading import Refused, read_bytes, repository_of
from .report import Report


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
                compiled.out_dir,
                compiled.result.files,
                args.force,
                lock,
                compiled.owner,
                compiled.tree_merge,
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
    root = repository_of(args.fleet)
    try:
        on_disk = universal_newlines(read_bytes(compiled.lock_file, root).decode())
    except FileNotFoundError:
        on_disk = None
    except (OSError, UnicodeDecodeError, Refused):
        on_disk = ""  # unreadable or refused: compile_fleet reports it
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
    removed = [f"{where}/{name}" for name in written.removed]
    for line in listed(removed, "files", "--format json lists them"):
        report.say(f"fleetc: removed {line}")
    # shown() resolves the path and looks for the repository: once, not once a
    # line (a first generate at 10,000 VMs adds 10,000 VMs to the lock).
    lock = shown(compiled.lock_file) if compiled.result.lock_changes else ""
    for line in lock_lines(compiled.result.lock_changes, lock):
        report.say(f"fleetc: {lock}: {line}")
    report.note("changed", list(written.changed))
    report.note("removed", list(written.removed))
    if compiled.merging:
        say_merged(report, compiled)


# Up to this many names of one kind are said a line each; more are one line
# (a first generate at 10,000 VMs said "added vmNxM" 10,000 times). Every
# name stays in the JSON report (--format json) and in the files themselves.
LISTED = 20
SHOWN_OF_MANY = 3


def lock_lines(changes: list[str], lock: str) -> list[str]:
    """The lock's changes, a line each, with the VMs added summed up when
    there are more than LISTED of them (each has its table in the lock)."""
    added = [line.removeprefix("added ") for line in changes if is_added(line)]
    others = [line for line in changes if not is_added(line)]
    where = f"each has its [vms.<name>] table in {lock}; --format json lists them"
    return [f"added {line}" for line in listed(added, "VMs", where)] + others


def is_added(line: str) -> bool:
    """allocate/changes.py's "added <vm>" (a VM's name has no space)."""
    return line.startswith("added ") and " " not in line[len("added ") :]


def listed(names: list[str], what: str, where: str) -> list[str]:
    """`names` a line each, or one line for more than LISTED of them."""
    if len(names) <= LISTED:
        return names
    first = ", ".join(names[:SHOWN_OF_MANY])
    more = len(names) - SHOWN_OF_MANY
    return [f"{len(names)} {what}: {first} and {more} more ({where})"]


def say_merged(report: Report, compiled: Compiled) -> None:
    """A git merge is finished in the files: git learns it from `git add`."""
    paths = f"{shown(compiled.lock_file)} {shown(compiled.out_dir)}"
    report.say(
        f"fleetc: merged {shown(compiled.lock_file)} and rewrote"
        f" {shown(compiled.out_dir)}/; mark them resolved: `git add {paths}`"
    )
    report.note("merged", True)
