"""A closed pipe ends every command quietly, as it ends `yes | head` (issue 18,
case 15: `fleetc check fleet.toml --format json | true` was a traceback).

Each command runs as a real process twice, from two copies of one fleet:
once with its output read, to learn what it writes and how it exits; once
writing into a pipe whose read end is already closed. A command that had
something to write there must die by SIGPIPE (a shell shows 141) with nothing
on stderr; one that had nothing to write there ends as it did with a reader.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.nixeval import flake_options, nix_env, overrides
from tests.support.paths import SAMPLES

CLOSED = -signal.SIGPIPE  # subprocess's status of a process killed by SIGPIPE
FORMATS = ("text", "json", "github")
FLEET_COMMANDS = [
    ("check",),
    ("generate",),
    ("generate", "--check"),
    ("diff",),
    ("plan",),
    ("convert", "--to", "fleet"),
]
CASES = [
    (*command, "fleet.toml", "--format", f)
    for command in FLEET_COMMANDS
    for f in FORMATS
]
CASES += [
    ("graph", "fleet.toml", "--format", f) for f in ("mermaid", "dot", "svg", *FORMATS)
]
CASES += [("explain", "F203"), ("explain", "F999"), ("schema",)]
CASES += [("completion", shell) for shell in ("bash", "zsh", "fish")]
CASES += [("check", "missing.toml", "--format", f) for f in FORMATS]  # exit 2
# lock and update run Nix, which cannot fetch here: their usage errors instead.
CASES += [("lock", "missing.toml", "--format", f) for f in FORMATS]
CASES += [("update", "fleet.toml", "nosuch", "--format", f) for f in FORMATS]
# What a closed pipe printed before: a traceback, the interpreter's complaint at
# exit, or F032 "cannot use: Broken pipe".
NOISE = (b"Traceback", b"Exception ignored", b"Broken pipe", b"BrokenPipe")


def fleet_copy(tmp_path: Path, name: str) -> Path:
    """samples/basic with the web VM's memory changed, so that diff, generate
    --check and plan have something to show (without the twin: it would
    disagree, F035)."""
    copy = tmp_path / name
    shutil.copytree(SAMPLES / "basic", copy, ignore=shutil.ignore_patterns("*.fleet"))
    fleet = copy / "fleet.toml"
    text = fleet.read_text()
    assert "mem = 1024" in text
    fleet.write_text(text.replace("mem = 1024", "mem = 1536", 1))
    return copy


def fleetc(cwd: Path, args: tuple[str, ...], stdout, stderr):
    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=cwd,
        env=nix_env(),
        stdout=stdout,
        stderr=stderr,
        timeout=600,
    )


def into_closed_pipe(cwd: Path, args: tuple[str, ...], both: bool = False):
    """Run with stdout (and stderr, if `both`) a pipe nobody reads any more."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        stderr = write_end if both else subprocess.PIPE
        return fleetc(cwd, args, write_end, stderr)
    finally:
        os.close(write_end)


def expected(cwd: Path, args: tuple[str, ...]) -> tuple[int, bytes, bytes]:
    done = fleetc(cwd, args, subprocess.PIPE, subprocess.PIPE)
    assert_quiet(done.stderr)
    return done.returncode, done.stdout, done.stderr


def assert_quiet(stderr: bytes) -> None:
    for word in NOISE:
        assert word not in stderr, stderr.decode(errors="replace")


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_a_closed_stdout_ends_the_run_quietly(tmp_path, args):
    status, stdout, _ = expected(fleet_copy(tmp_path, "read"), args)
    done = into_closed_pipe(fleet_copy(tmp_path, "closed"), args)
    assert done.returncode == (CLOSED if stdout else status)
    assert_quiet(done.stderr)


@pytest.mark.parametrize("args", [a for a in CASES if "json" not in a], ids=" ".join)
def test_stdout_and_stderr_into_one_closed_pipe(tmp_path, args):
    """`fleetc ... 2>&1 | true`: the messages on stderr meet the closed pipe too."""
    status, stdout, stderr = expected(fleet_copy(tmp_path, "read"), args)
    done = into_closed_pipe(fleet_copy(tmp_path, "closed"), args, both=True)
    assert done.returncode == (CLOSED if stdout or stderr else status)


def test_every_command_is_covered():
    """A new command must join CASES (build has its own test below)."""
    from fleetc.cli.main import parser

    commands = parser()._subparsers._group_actions[0].choices
    assert set(commands) - {"build"} == {args[0] for args in CASES}


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("check", "--help")])
def test_help_and_version_end_quietly(tmp_path, args):
    """argparse prints these itself and ignores a failed write (its own
    choice): they end quietly, with status 0."""
    done = into_closed_pipe(tmp_path, args)
    assert done.returncode in (0, CLOSED)
    assert_quiet(done.stderr)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_build_into_a_closed_pipe_ends_quietly_and_cleans_up(tmp_path, fmt):
    """The table (or the document) meets the closed pipe after Nix ran: the
    scratch copy is still removed, as the exception unwinds before SIGPIPE."""
    scratch, fleet = tmp_path / "tmp", tmp_path / "journald"
    scratch.mkdir()
    skip = shutil.ignore_patterns("generated", "*.fleet")  # basic needs disko
    shutil.copytree(SAMPLES / "journald", fleet, ignore=skip)
    args = ("build", "fleet.toml", "--format", fmt, "--")
    args += tuple(flake_options(overrides("current")))
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "fleetc", *args],
            cwd=fleet,
            env={**nix_env(), "TMPDIR": str(scratch)},
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=600,
        )
    finally:
        os.close(write_end)
    assert done.returncode == CLOSED, done.stderr.decode(errors="replace")
    assert_quiet(done.stderr)
    assert b"fleetc: building" in done.stderr  # Nix did run
    assert list(scratch.glob("fleetc-build-*")) == []
