"""Whole processes, timed as a user would see them: wall clock from spawn to
exit, and the peak resident memory of that one process (wait4's rusage).

strace shows what a run writes: every syscall that changes a file, less the
report on stdout and stderr.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

FLEETC = str(Path(sys.executable).with_name("fleetc"))
WRITING_CALLS = (
    "write,pwrite64,writev,rename,renameat,renameat2,unlink,unlinkat,rmdir,"
    "mkdir,mkdirat,fsync,fdatasync,syncfs,sync,truncate,ftruncate,openat"
)


@dataclass
class Timing:
    seconds: list[float]
    peak_kib: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def run_once(argv: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """(seconds, peak KiB) of one process; its output is discarded, its exit
    code must be 0."""
    with tempfile.TemporaryFile() as errors:  # a pipe would fill and block
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        problems = errors.read().decode(errors="replace")
    if child.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} in {cwd}: exit {child.returncode}\n{problems}"
        )
    return seconds, usage.ru_maxrss


def timed(
    argv: list[str],
    cwd: Path,
    runs: int,
    before: Callable[[], None] | None = None,
    env: dict | None = None,
) -> Timing:
    """`runs` runs; `before` (untimed) puts the directory back each time."""
    seconds, peak = [], 0
    for _ in range(runs):
        if before:
            before()
        spent, kib = run_once(argv, cwd, env)
        seconds.append(spent)
        peak = max(peak, kib)
    return Timing(seconds, peak)


def writing_syscalls(argv: list[str], cwd: Path) -> list[str]:
    """Every syscall of one run that changes a file (stdout/stderr aside)."""
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "strace.log"
        trace = ["strace", "-f", "-qq", "-o", str(log), "-e", f"trace={WRITING_CALLS}"]
        run_once(trace + argv, cwd)
        lines = log.read_text().splitlines()
    calls = (re.sub(r"^\d+\s+", "", line) for line in lines)
    return [call for call in calls if _changes_a_file(call)]


def _changes_a_file(call: str) -> bool:
    if call.startswith("openat(") and not re.search(r"O_WRONLY|O_RDWR|O_CREAT", call):
        return False  # opened for reading
    return not call.startswith(("write(1,", "write(2,"))


def paths_written(calls: list[str]) -> list[str]:
    """The files a run created, opened for writing or renamed into place."""
    found = []
    for call in calls:
        names = re.findall(r'"([^"]*)"', call)
        if call.startswith("openat(") and names:
            found.append(names[0])
        elif call.startswith("rename") and len(names) >= 2:
            found.append(names[-1])
    return sorted(set(found) - {"/dev/null"})
