"""The audit hook of the hostile-repository test (hostile_audit.py runs it).

Each file operation's path is resolved as the kernel would at that instant
(symbolic links followed, except a final link the call does not follow;
`dir_fd` through /proc/self/fd) and judged against `Bounds`:

- written, created, renamed or removed: only inside the output directory, at
  fleet.lock (and its `.fleet.lock.fleetc-new` temp) and in fleetc's own temp
  directory (TMPDIR); read-only commands write nothing at all; an untracked
  leftover of an older fleetc may be removed;
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
import json
import os
import re
import sys
import sysconfig
from dataclasses import dataclass, field

import fleetc

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# What fleetc may run: git (what it tracks), nix (build), dot (graph --format
# svg). The writer's syncfs is libc's, found without running ldconfig.
EXECUTABLES = frozenset({"git", "nix", "dot"})
BLOCKED = "refused by the hostile-repository audit"
TEMP = re.compile(r"\.(.+)\.fleetc-(new|[0-9]+)")


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
