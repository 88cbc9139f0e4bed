"""Whole processes, timed as a user would see them: wall clock from spawn to
exit, and the peak resident memory of that one process (wait4's rusage).

Children run with bytecode written and read, as an installed wheel has it
(this machine sets PYTHONDONTWRITEBYTECODE=1; each command's untimed first
run writes what it needs).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

PYTHON = sys.executable
FLEETC = str(Path(PYTHON).with_name("fleetc"))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


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
            argv, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=errors
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        problems = errors.read().decode(errors="replace")
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} in {cwd}: exit {code}\n{problems}")
    return seconds, usage.ru_maxrss


def timed(
    argv: list[str],
    cwd: Path,
    runs: int,
    before: Callable[[], None] | None = None,
    env: dict | None = None,
    warm: bool = True,
) -> Timing:
    """One untimed run (unless not `warm`), then `runs` timed ones; `before`
    (untimed) puts the directory back each time."""
    seconds, peak = [], 0
    for turn in range(runs + warm):
        if before:
            before()
        spent, kib = run_once(argv, cwd, env)
        if turn or not warm:
            seconds.append(spent)
            peak = max(peak, kib)
    return Timing(seconds, peak)


def output_of(argv: list[str], cwd: Path, env: dict | None = None) -> str:
    """stdout of a process that must exit 0."""
    done = subprocess.run(
        argv, cwd=cwd, env=env or ENV, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}\n{done.stderr}")
    return done.stdout


def stats_of(root: Path, skip: frozenset[str]) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every file under root, .git and `skip` aside."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            found[os.path.relpath(path, root)] = (st.st_ino, st.st_mtime_ns)
    return {name: stat for name, stat in found.items() if name not in skip}


def files_written(root: Path, run: Callable[[], None], skip: frozenset[str]) -> list:
    """The files `run` created, replaced, changed or removed under root
    (inode or mtime differ, or the file came or went)."""
    before = stats_of(root, skip)
    run()
    after = stats_of(root, skip)
    names = set(before) | set(after)
    return sorted(n for n in names if before.get(n) != after.get(n))
