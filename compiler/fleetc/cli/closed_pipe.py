"""A closed pipe ends the run quietly, with the status a shell expects.

`fleetc check fleet.toml --format json | true`: the reader is gone before
fleetc writes. Python ignores SIGPIPE, so the write raises BrokenPipeError;
left alone it would print a traceback (or, at exit, "Exception ignored"). A
shell's own tools end as `yes | head` does: killed by SIGPIPE, which the shell
reports as 128 + 13 = 141 and `set -o pipefail` counts as a failure. fleetc
does the same, but only after the exception has unwound the run (temporary
directories removed, the output's lock released): keeping SIGPIPE's default
action for the whole run would kill it in the middle of that, and whenever a
helper it feeds (Graphviz's `dot`) exits without reading its input.
"""

from __future__ import annotations

import os
import signal
import sys

# What the process returns where SIGPIPE does not end it (no such signal).
EXIT_CLOSED_PIPE = 128 + 13


def flush() -> None:
    """Write out what is buffered, so that a closed pipe shows here and not at
    interpreter exit, where it could only be printed as "Exception ignored"."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()


def end_quietly() -> int:
    """Nothing more reaches the closed pipe (or stderr), then die by SIGPIPE."""
    silence()
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)
    return EXIT_CLOSED_PIPE


def silence() -> None:
    """/dev/null under stdout and stderr: buffered text still waiting for the
    closed pipe goes nowhere, and nothing is said about it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (OSError, ValueError):  # not a file (io.StringIO): no fd
                continue
    finally:
        os.close(devnull)
