"""The audit of one fleetc command (tests/support/hostile.py): run in-process in a
forked child that watches every file operation through `sys.addaudithook`.

The child runs the `fleetc` console script's own function (what the installed
command calls) with its stdout and stderr in files, and streams one JSON line
per file operation to an events file as it happens, so that a child killed by
a timeout or a signal still leaves its record. Each operation's path is
resolved as the kernel would at that instant (symbolic links followed, except
a final link the call does not follow; `dir_fd` through /proc/self/fd) and
judged against `Bounds`:

- written, created, renamed or removed: only inside the output directory, at
  fleet.lock (and its `.fleet.lock.fleetc-new` temp) and in fleetc's own temp
  directory (TMPDIR); read-only commands write nothing at all;
- opened or listed for reading: inside the repository, the written places,
  and what the interpreter itself needs (ALLOWED_READS);
- run: only the programs fleetc is known to start (EXECUTABLES).

A forbidden write, removal, rename, program or signal is refused
(PermissionError) after it is recorded, so a bug found here cannot damage the
machine running the test; a forbidden read is recorded and allowed, so that
what fleetc does with it (print it?) shows too.
"""

from __future__ import annotations

import errno
import functools
import importlib
import io
import json
import os
import pkgutil
import re
import resource
import select
import signal
import sys
import sysconfig
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import fleetc

from tests.support.paths import ROOT

PYPROJECT = ROOT / "pyproject.toml"
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# What fleetc may run: git (what it tracks), nix (build), dot (graph --format
# svg), and ldconfig, which ctypes.util.find_library runs to find libc for the
# writer's syncfs (journal._libc_syncfs).
EXECUTABLES = frozenset({"git", "nix", "dot", "ldconfig"})
# The child's address space: a read without bound (fleet.lock a link to
# /dev/zero) ends in MemoryError, not in the machine's OOM killer.
MEMORY_LIMIT = 1 << 30
BLOCKED = "refused by the hostile-repository audit"
TEMP = re.compile(r"\.(.+)\.fleetc-(new|[0-9]+)")
DRIVER_FAILED = 99  # the child's status when the audit itself failed


def interpreter_paths() -> tuple[str, ...]:
    """What the interpreter reads on its own: its standard library, the
    installed packages (jinja2, lark) and fleetc's package data."""
    paths = {sys.prefix, sys.exec_prefix, os.path.dirname(fleetc.__file__)}
    for scheme_vars in ({}, {"base": sys.base_prefix, "platbase": sys.base_prefix}):
        found = sysconfig.get_paths(vars=scheme_vars or None)
        paths.update(found[key] for key in ("stdlib", "platstdlib", "purelib"))
    return tuple(sorted(os.path.realpath(path) for path in paths))


# Besides the repository: the interpreter, the kernel's views of this process
# and the null device, and the Nix store (build's stand-in inputs live there
# once copied).
ALLOWED_READS = interpreter_paths() + (
    "/proc",
    "/dev/null",
    "/dev/urandom",
    "/nix/store",
)


@dataclass(frozen=True)
class Bounds:
    """What one command may touch; every path absolute and resolved."""

    repo: str
    writable_dirs: tuple[str, ...]  # whole subtrees: the output, TMPDIR
    writable_files: tuple[str, ...]  # fleet.lock and its temp, convert's -o
    read_only: bool  # check, diff, plan, graph, generate --check
    # Leftovers of a killed older fleetc beside the output or fleet.lock that
    # git does not track: the writer may remove them (issue 18, part 2).
    removable: tuple[str, ...] = ()

    def may_write(self, path: str) -> bool:
        if path == "/dev/null" or self.read_only:
            return path == "/dev/null"
        if path in self.writable_files or self.temp_of_writable(path):
            return True
        return any(within(path, d) for d in self.writable_dirs)

    def temp_of_writable(self, path: str) -> bool:
        """fleetc's temp beside a file it writes: `.<name>.fleetc-new` (the
        journal's), `.<name>.fleetc-<its own pid>` (convert's)."""
        head, tail = os.path.split(path)
        match = TEMP.fullmatch(tail)
        if match is None or match[2] not in ("new", str(os.getpid())):
            return False
        return os.path.join(head, match[1]) in self.writable_files

    def may_remove(self, path: str) -> bool:
        if self.may_write(path):
            return True
        return not self.read_only and any(within(path, r) for r in self.removable)

    def may_read(self, path: str) -> bool:
        roots = (self.repo, *self.writable_dirs, *ALLOWED_READS)
        return path in self.writable_files or any(within(path, r) for r in roots)


def within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


# -- inside the child ------------------------------------------------------------


@dataclass
class Auditor:
    """The child's hook: classifies, records and (for writes) refuses."""

    bounds: Bounds
    events_fd: int
    active: bool = False
    busy: bool = False
    # os.open's dir_fd, which the `open` audit event does not carry.
    open_dir_fd: int | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def __call__(self, event: str, args: tuple) -> None:
        if not self.active or self.busy:
            return
        handler = HANDLERS.get(event)
        if handler is None:
            return
        self.busy = True
        try:
            verdicts = handler(self, args)
        finally:
            self.busy = False
        for kind, path, _, ok in filter(None, verdicts):
            if not ok and kind != "read":
                raise PermissionError(errno.EACCES, BLOCKED, shown(path))

    def record(self, event: str, kind: str, path, resolved: str, ok: bool) -> tuple:
        line = {"event": event, "kind": kind, "path": shown(path)}
        line |= {"resolved": resolved, "ok": ok}
        self.write(line)
        return (kind, path, resolved, ok)

    def write(self, line: dict) -> None:
        os.write(self.events_fd, (json.dumps(line) + "\n").encode())

    def judge(self, event: str, kind: str, path, dir_fd=None, follow=True):
        if isinstance(path, int):  # an open descriptor: already judged
            path = descriptor_path(path)
            if path is None:
                return None
        resolved = resolve(path, dir_fd, follow)
        allowed = {
            "read": self.bounds.may_read,
            "remove": self.bounds.may_remove,
        }.get(kind, self.bounds.may_write)
        return self.record(event, kind, path, resolved, allowed(resolved))


def shown(path) -> str:
    if isinstance(path, bytes):
        return os.fsdecode(path)
    return str(path)


def descriptor_path(fd: int) -> str | None:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def resolve(path, dir_fd: int | None = None, follow: bool = True) -> str:
    """Where `path` leads now: links followed (the final one only if `follow`)."""
    path = os.fsdecode(os.fspath(path))
    base = os.getcwd()
    if dir_fd is not None and dir_fd >= 0:
        base = descriptor_path(dir_fd) or base
    full = os.path.join(base, path)
    head, tail = os.path.split(full.rstrip("/") or "/")
    if follow or tail in ("", ".", ".."):
        return os.path.realpath(full)
    return os.path.join(os.path.realpath(head), tail)


def _open(auditor: Auditor, args: tuple) -> list:
    path, _mode, flags = args
    if isinstance(path, int):
        return []
    dir_fd, auditor.open_dir_fd = auditor.open_dir_fd, None
    writes = bool(flags & WRITE_FLAGS)
    # O_CREAT|O_EXCL and O_NOFOLLOW never follow a final link.
    no_follow = flags & os.O_NOFOLLOW or (flags & os.O_CREAT and flags & os.O_EXCL)
    kind = "write" if writes else "read"
    return [auditor.judge("open", kind, path, dir_fd, follow=not no_follow)]


def _one(kind: str, follow: bool, index: int = 0, fd_at: int | None = None):
    """A handler judging args[index] (with args[fd_at] as its dir_fd)."""

    def handler(auditor: Auditor, args: tuple) -> list:
        dir_fd = args[fd_at] if fd_at is not None and len(args) > fd_at else None
        verdict = auditor.judge(EVENT_OF[handler], kind, args[index], dir_fd, follow)
        return [verdict] if verdict else []

    return handler


def _rename(auditor: Auditor, args: tuple) -> list:
    source, target, source_fd, target_fd = args
    return [
        auditor.judge("os.rename", "remove", source, source_fd, follow=False),
        auditor.judge("os.rename", "write", target, target_fd, follow=False),
    ]


def _copy(auditor: Auditor, args: tuple) -> list:
    source, target = args[:2]
    return [
        auditor.judge("shutil.copy", "read", source),
        auditor.judge("shutil.copy", "write", target),
    ]


def _program(auditor: Auditor, args: tuple) -> list:
    executable, argv = args[0], args[1]
    program = executable if executable is not None else argv
    if isinstance(program, (list, tuple)):
        program = program[0]
    name = os.path.basename(os.fsdecode(program)) if program is not None else "?"
    ok = name in EXECUTABLES
    argv_shown = [shown(a) for a in argv] if isinstance(argv, (list, tuple)) else argv
    line = {"event": "exec", "kind": "exec", "path": name, "argv": argv_shown}
    auditor.write(line | {"resolved": name, "ok": ok})
    return [("exec", name, name, ok)]


def _signal(auditor: Auditor, args: tuple) -> list:
    pid, sig = args[0], args[1]
    ok = sig == 0 or pid == os.getpid()  # a liveness probe, or itself (SIGPIPE)
    auditor.write(
        {"event": "os.kill", "kind": "signal", "path": str(pid)}
        | {"resolved": str(sig), "ok": ok}
    )
    return [("signal", pid, str(sig), ok)]


def _network(auditor: Auditor, args: tuple) -> list:
    auditor.write({"event": "network", "kind": "network", "path": repr(args[1:2])})
    return [("network", "", "", False)]


HANDLERS = {
    "open": _open,
    "os.listdir": _one("read", True),
    "os.scandir": _one("read", True),
    "os.remove": _one("remove", False, 0, 1),
    "os.rmdir": _one("remove", False, 0, 1),
    "shutil.rmtree": _one("remove", False, 0, 1),
    "os.mkdir": _one("write", False, 0, 2),
    "os.symlink": _one("write", False, 1, 2),
    "os.link": _one("write", False, 1, 3),
    "os.truncate": _one("write", True),
    "os.chmod": _one("write", True, 0, 2),
    "os.chown": _one("write", True, 0, 3),
    "os.utime": _one("write", True, 0, 3),
    "os.setxattr": _one("write", True),
    "os.removexattr": _one("write", True),
    "shutil.copyfile": _copy,
    "shutil.copymode": _copy,
    "shutil.copystat": _copy,
    "shutil.copytree": _copy,
    "shutil.move": _copy,
    "os.rename": _rename,
    "subprocess.Popen": _program,
    "os.exec": _program,
    "os.posix_spawn": _program,
    "os.spawn": lambda auditor, args: _program(auditor, (args[1], args[2])),
    "os.system": lambda auditor, args: _program(auditor, (None, [args[0]])),
    "os.kill": _signal,
    "os.killpg": _signal,
    "socket.connect": _network,
    "socket.bind": _network,
    "socket.sendto": _network,
}
EVENT_OF = {handler: event for event, handler in HANDLERS.items()}


def watch_dir_fd(auditor: Auditor) -> None:
    """os.open's audit event leaves out dir_fd: note it on the way in."""
    real_open = os.open

    def open_noting_dir_fd(path, flags, mode=0o777, *, dir_fd=None):
        auditor.open_dir_fd = dir_fd
        try:
            return real_open(path, flags, mode, dir_fd=dir_fd)
        finally:
            auditor.open_dir_fd = None

    os.open = open_noting_dir_fd


@dataclass(frozen=True)
class Command:
    """One fleetc run: its arguments, where, and how its stdout ends."""

    argv: tuple[str, ...]
    cwd: str
    env: dict[str, str]
    bounds: Bounds
    closed_stdout: bool = False  # `| true`: the reader is gone


@functools.cache
def console_entry():
    """The function the `fleetc` command calls (pyproject.toml's script, read
    from the checkout: an install's metadata may be older), with every module
    of fleetc loaded once here, before any fork: what a command imports on
    use is not read again by each child (it would be an allowed read anyway)."""
    import tomli

    project = tomli.loads(PYPROJECT.read_text())["project"]
    module, _, function = project["scripts"]["fleetc"].partition(":")
    for found in pkgutil.walk_packages(fleetc.__path__, "fleetc."):
        if not found.name.endswith(".__main__"):  # that one runs the command
            importlib.import_module(found.name)
    return getattr(importlib.import_module(module), function)


def child(command: Command, logs: Path, entry) -> None:
    """In the forked child: set up, run the command audited, record its end."""
    os.chdir(command.cwd)
    os.environ.clear()
    os.environ.update(command.env)
    tempfile.tempdir = None  # TMPDIR is the child's own
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    _redirect(command, logs)
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    events_fd = os.open(logs / "events.jsonl", flags, 0o600)
    auditor = Auditor(command.bounds, events_fd)
    watch_dir_fd(auditor)
    sys.addaudithook(auditor)
    sys.argv = ["fleetc", *command.argv]
    auditor.active = True
    code = _run(entry, auditor)
    auditor.write({"event": "end", "exit": code})


def _redirect(command: Command, logs: Path) -> None:
    for fd, name in ((1, "stdout"), (2, "stderr")):
        target = os.open(logs / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    if command.closed_stdout:
        reader, writer = os.pipe()
        os.close(reader)
        os.dup2(writer, 1)
        os.close(writer)
    # The streams a fresh interpreter would have on these descriptors (not
    # those of a test runner capturing its own output).
    sys.stdout = sys.__stdout__ = _stream(1, "strict", line_buffering=False)
    sys.stderr = sys.__stderr__ = _stream(2, "backslashreplace", line_buffering=True)


def _stream(fd: int, errors: str, line_buffering: bool) -> io.TextIOWrapper:
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(
        io.BufferedWriter(raw), "utf-8", errors, line_buffering=line_buffering
    )


def _run(entry, auditor: Auditor) -> int:
    """The command as `sys.exit(main())` runs it, the interpreter's last flush
    of stdout included (where a closed pipe shows: "Exception ignored", 120).
    A traceback is printed after the audit ends: printing reads the source."""
    escaped = None
    try:
        code = entry()
    except SystemExit as done:
        code = done.code
    except BaseException as problem:
        escaped, code = problem, 1
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    code = _final_flush(code)
    auditor.active = False
    if escaped is not None:
        traceback.print_exception(escaped, file=sys.__stderr__)
    return code


def _final_flush(code: int) -> int:
    for name in ("stdout", "stderr"):
        try:
            getattr(sys, name).flush()
        except Exception as problem:
            print(f"Exception ignored in: <{name}>\n{problem!r}", file=sys.__stderr__)
            try:
                sys.__stderr__.flush()
            except Exception:
                pass
            return 120
    return code


# -- in the parent ----------------------------------------------------------------


@dataclass
class Run:
    """What one audited command did."""

    command: Command
    exit: int | None  # None: killed (see `signal`)
    signal: int | None
    timed_out: bool
    stdout: bytes
    stderr: bytes
    events: list[dict]
    seconds: float

    @property
    def violations(self) -> list[dict]:
        return [e for e in self.events if e.get("ok") is False]

    def opened(self, path: str, kind: str | None = None) -> bool:
        """Whether an event resolved to `path` (of `kind`, if given)."""
        return any(
            e.get("resolved") == path and (kind is None or e["kind"] == kind)
            for e in self.events
        )

    def json(self) -> dict:
        """The --format json document on stdout."""
        return json.loads(self.stdout.decode("utf-8", "replace"))

    def codes(self) -> list[str]:
        return [d["code"] for d in self.json()["diagnostics"]]


def run(command: Command, logs: Path, timeout: float = 30.0, entry=None) -> Run:
    """`command` in a forked child, audited; killed after `timeout` seconds.
    `entry` replaces the fleetc command (the audit's own tests)."""
    logs.mkdir(parents=True, exist_ok=True)
    for name in ("events.jsonl", "stdout", "stderr"):
        (logs / name).unlink(missing_ok=True)
    entry = entry or console_entry()
    started = time.monotonic()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 0
        try:
            child(command, logs, entry)
        except BaseException:
            traceback.print_exc()
            status = DRIVER_FAILED
        finally:
            os._exit(status)
    exit_code, killed, timed_out = _wait(pid, timeout)
    return _collected(command, logs, exit_code, killed, timed_out, started)


def _wait(pid: int, timeout: float) -> tuple[int | None, int | None, bool]:
    pidfd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([pidfd], [], [], timeout)
    finally:
        os.close(pidfd)
    if not ready:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status), not ready
    return os.WEXITSTATUS(status), None, False


def _collected(command, logs, exit_code, killed, timed_out, started) -> Run:
    events = []
    for line in (logs / "events.jsonl").read_bytes().splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:  # the last line, cut by a kill
            pass
    ends = [e for e in events if e.get("event") == "end"]
    if exit_code == 0 and ends:
        exit_code = ends[-1]["exit"]
    elif exit_code == DRIVER_FAILED and not ends:
        exit_code = None  # the driver itself failed: its traceback is in stderr
    stdout = (logs / "stdout").read_bytes() if not command.closed_stdout else b""
    stderr = (logs / "stderr").read_bytes()
    seconds = time.monotonic() - started
    return Run(command, exit_code, killed, timed_out, stdout, stderr, events, seconds)
