"""compile pauses CPython's cyclic collector and hands what it made to the
oldest generation unwalked (pipeline.collector_paused, promote_survivors).

Speed is measured in the bench; here, only the collector's state after a
compile: observed through gc's own callbacks and generation lists.
"""

from __future__ import annotations

import gc
from pathlib import Path, PurePosixPath

import pytest

from fleetc.core.pipeline import Placement, compile
from fleetc.core.source import Source

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "basic"


def compiled():
    text = (SAMPLE / "fleet.toml").read_text()
    return compile(Source("fleet.toml", text), Placement(PurePosixPath(str(SAMPLE))))


@pytest.fixture
def collections():
    """The generations the collector walks while the test runs."""
    walked: list[int] = []

    def note(phase, info):
        if phase == "start":
            walked.append(info["generation"])

    gc.collect()
    gc.callbacks.append(note)
    yield walked
    gc.callbacks.remove(note)


def test_no_young_collection_walks_what_a_compile_made(collections):
    assert gc.isenabled()
    result = compiled()
    assert result.ok and result.files
    made_after = [[] for _ in range(50)]  # fewer than a young collection waits for
    assert collections == [] and made_after
    assert gc.isenabled()
    young = gc.get_objects(generation=0) + gc.get_objects(generation=1)
    assert not any(thing is result.fleet for thing in young)
    if gc.get_freeze_count() == 0:  # no earlier test froze the compiler's import
        assert any(thing is result.fleet for thing in gc.get_objects(generation=2))


def test_after_the_clis_frozen_import_a_compile_is_frozen_too(collections):
    """The CLI freezes the compiler as it imports it (startup.py); the
    compile's objects must not be left to young collections then either."""
    gc.freeze()
    try:
        result = compiled()
        made_after = [[] for _ in range(50)]
        assert collections == [] and made_after
        young = gc.get_objects(generation=0) + gc.get_objects(generation=1)
        assert not any(thing is result.fleet for thing in young)
    finally:
        gc.unfreeze()


def test_objects_the_caller_froze_stay_frozen():
    gc.freeze()
    try:
        assert gc.get_freeze_count() > 0
        assert compiled().ok
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()
