"""Rendering shares of the tree on more than one core (issue 24).

Emitting is ~60 us of Python a VM with nothing dominant, and CPython has one
interpreter lock: only processes run it side by side. Each share but the
first renders in a child forked for it, which sends its result back over a
pipe (marshal) and ends, while this process renders the rest. The child
writes no file and prints nothing; it ends by os._exit (no atexit handler,
no flush of a buffer it inherited). Whatever goes wrong with a child (it
cannot be forked, exits other than 0, sends short or bad data) its share is
rendered here instead: the same result, later.
"""

from __future__ import annotations

import marshal
import os
import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

# The child's message: its length (8 bytes, big-endian), then marshal's bytes.
LENGTH = 8


class Child:
    """A share, its forked child (pid None: not forked), the pipe it answers
    on, and how it ended (None: not yet reaped)."""

    def __init__(self, share, pid: int | None = None, answer: int = -1):
        self.share = share
        self.pid = pid
        self.answer = answer
        self.status: int | None = None


class Children:
    def __init__(self, render: Callable, children: list[Child]):
        self.render = render
        self.children = children

    def results(self) -> list:
        """Each child's result, in order; rendered here for a child that has none."""
        return [self.result(child) for child in self.children]

    def result(self, child: Child):
        got = collected(child)
        return self.render(child.share) if got is None else got[0]


@contextmanager
def forked(render: Callable, shares: list) -> Iterator[Children]:
    """render(share) for each share, each in a child of its own (here, when
    another thread runs: a fork copies only this one); on leaving, every
    child is reaped, killed first if this process leaves early (Ctrl-C)."""
    alone = threading.active_count() == 1
    children: list[Child] = []
    try:
        for share in shares:
            children.append(fork(render, share) if alone else Child(share))
        yield Children(render, children)
    finally:
        for child in children:
            ended(child)


def fork(render: Callable, share) -> Child:
    try:
        answer, send = os.pipe()
    except OSError:
        return Child(share)
    pid = forked_holding_ctrl_c(render, share, answer, send)
    os.close(send)
    if pid is None:  # EAGAIN, ENOMEM: this process renders the share
        os.close(answer)
        return Child(share)
    return Child(share, pid, answer)


def forked_holding_ctrl_c(render: Callable, share, answer: int, send: int):
    """The child's pid (None: the fork failed). SIGINT is held from before
    the fork until the child is inside child()'s `try`: a KeyboardInterrupt
    there before it would unwind through this process's callers."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        pid = None
    if pid == 0:
        child(render, share, (answer, send), held)  # does not return
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return pid


def child(render: Callable, share, pipe: tuple[int, int], held) -> None:
    """In the child: render, send, and end; any exception ends it with 1."""
    code = 1
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # Ctrl-C ends it now
        answer, send = pipe
        os.close(answer)
        data = marshal.dumps(render(share))
        sent = memoryview(len(data).to_bytes(LENGTH, "big") + data)
        while sent:
            sent = sent[os.write(send, sent) :]
        code = 0
    finally:
        os._exit(code)  # also on KeyboardInterrupt: nothing printed, nothing run


def collected(child: Child) -> tuple | None:
    """(the child's result,) or None when it has none to give."""
    if child.pid is None:
        return None
    with open(child.answer, "rb", closefd=False) as pipe:
        data = pipe.read()
    child.status = os.waitpid(child.pid, 0)[1]
    length = int.from_bytes(data[:LENGTH], "big")
    if child.status != 0 or len(data) != LENGTH + length:
        return None
    try:
        return (marshal.loads(data[LENGTH:]),)
    except (EOFError, ValueError, TypeError):
        return None


def ended(child: Child) -> None:
    """The child reaped, killed first if it has not been."""
    if child.pid is None:
        return
    os.close(child.answer)
    if child.status is None:
        os.kill(child.pid, signal.SIGKILL)
        os.waitpid(child.pid, 0)
