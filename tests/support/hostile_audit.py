"""The audit of one fleetc command (tests/support/hostile.py): run in-process
in a forked child that watches every file operation through
`sys.addaudithook` (hostile_hook.py says what is judged, and how).

The child runs the `fleetc` console script's own function (what the installed
command calls) with its stdout and stderr in files, and streams one JSON line
per file operation to an events file as it happens, so that a child killed by
a timeout or a signal still leaves its record.
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import os
import pkgutil
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import fleetc

from tests.support.hostile_hook import Auditor, Bounds, watch_dir_fd
from tests.support.paths import ROOT

__all__ = ["Bounds", "Command", "Run", "console_entry", "run"]
PYPROJECT = ROOT / "pyproject.toml"
# The child's address space: a read without bound (fleet.lock a link to
# /dev/zero) ends in MemoryError, not in the machine's OOM killer.
MEMORY_LIMIT = 1 << 30
DRIVER_FAILED = 99  # the child's status when the audit itself failed


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
