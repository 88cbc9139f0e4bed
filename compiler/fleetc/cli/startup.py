"""The cyclic garbage collector is off while fleetc runs: the one place
fleetc tunes it, around the whole command line (cli.main), so the core stays pure.

A compile builds a few million small objects that live until it returns, and
makes no reference cycles (after a 10,000-VM compile the collector finds 7
unreachable objects). Yet CPython walks every live object each time the heap
grows by a quarter: a third of a 10,000-VM compile (11 full collections,
issue 11), and a tenth of a pre-commit `check` while the compiler's hundred
modules are imported. Reference counting still frees every object as before,
so memory use is the same; a run is one process that ends with its command,
so nothing cyclic accumulates. docs/speed.md has the measurement.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_off() -> Iterator[None]:
    """Without the cyclic collector until the block ends, then as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            promote_survivors()
            gc.enable()


def promote_survivors() -> None:
    """Move every object made meanwhile to the oldest generation, unwalked.

    Re-enabled as it was, the collector's first young collection would walk
    every object made while it was off (a fifth of a 100,000-VM `check`'s
    time, superlinear as the heap outgrows the caches) only to find them
    alive. freeze() then unfreeze() moves them to the oldest generation in one
    step; a later full collection still frees any cycle. When the caller froze
    objects of its own, unfreeze would release them: ours join them frozen.
    """
    caller_froze = gc.get_freeze_count() > 0
    gc.freeze()
    if not caller_froze:
        gc.unfreeze()


def left_to_the_exit() -> None:
    """For a process that ends with its command: what is still alive is left
    to the end of the process, frozen. Python's exit runs full collections
    that walk every object the imported modules hold (a tenth of a 30-VM
    `check`); frozen objects are not walked, and their memory goes back with
    the process. Not for a caller that embeds fleetc: it keeps the heap."""
    gc.freeze()
