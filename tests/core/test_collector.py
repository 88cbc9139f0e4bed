"""The cyclic collector: the pure core leaves it alone; the CLI turns it off
around a command (cli/startup.py), so no collection walks what the compile
made. Speed is measured in the bench; here, only what the collector did,
observed through gc's own callbacks."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import PurePosixPath

from fleetc.core.pipeline import compile
from fleetc.core.placement import Placement
from fleetc.core.source import Source

from tests.support.paths import SAMPLES

SAMPLE = SAMPLES / "basic"


def test_compile_leaves_the_collector_as_it_found_it():
    text = (SAMPLE / "fleet.toml").read_text()
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        frozen = gc.get_freeze_count()
        try:
            result = compile(
                Source("fleet.toml", text), Placement(PurePosixPath(str(SAMPLE)))
            )
            assert result.ok and result.files
            assert gc.isenabled() is enabled
            assert gc.get_freeze_count() == frozen
        finally:
            gc.enable()


PROBE = """
import gc, json, sys
import fleetc.cli.main
walked = []
gc.callbacks.append(lambda phase, info: phase == "start" and walked.append(1))
code = fleetc.cli.main.main(sys.argv[1:])
print(json.dumps({"exit": code, "collections": len(walked), "on": gc.isenabled()}))
"""


def test_a_command_runs_without_collections_and_restores_the_collector(tmp_path):
    """A real CLI run of a fleet: no collection during the command, and the
    collector on again afterwards (for a caller that embeds fleetc)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "fleet.toml"],
        cwd=SAMPLE,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert found == {"exit": 0, "collections": 0, "on": True}


def test_the_probe_sees_collections_when_the_collector_runs():
    """The probe can fail: the same callback counts collections when they happen."""
    walked = []
    note = lambda phase, info: phase == "start" and walked.append(1)  # noqa: E731
    gc.callbacks.append(note)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(note)
    assert walked


EXIT_PROBE = """
import gc, json, sys
import fleetc.cli.main
code = getattr(fleetc.cli.main, sys.argv[1])(sys.argv[2:])
print(json.dumps({"exit": code, "walked_at_exit": len(gc.get_objects())}))
"""


def walked_at_exit(entry: str) -> int:
    """How many objects Python's exit would walk after `entry` ran a check
    (gc.get_objects() lists those the collector tracks, not frozen ones)."""
    done = subprocess.run(
        [sys.executable, "-c", EXIT_PROBE, entry, "check", "fleet.toml"],
        cwd=SAMPLE,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["exit"] == 0, done.stderr
    return found["walked_at_exit"]


def test_the_executable_leaves_what_it_loaded_to_the_exit():
    """`fleetc` (cli.main.run) ends its process: the modules' objects are
    frozen, and the collections Python runs at exit do not walk them.
    main(), for callers that embed fleetc, leaves them to the collector."""
    assert walked_at_exit("run") < 100
    assert walked_at_exit("main") > 10_000
