"""The floor under a missed target, measured in-process on the fleet's own
files (fleet.toml and fleet.lock in DIR): the TOML parser alone, the same data
as JSON, and each pass of the compile on its own, best of 3 with the cyclic
collector off as fleetc runs. A pass whose interface changed prints n/a.

usage: floors.py DIR
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path, PurePosixPath


def best(work, runs: int = 3):
    times, value = [], None
    for _ in range(runs):
        gc.disable()
        start = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - start)
        gc.enable()
    return min(times), value


def parsers(toml: str, lock: str):
    import tomli

    yield "tomli.loads fleet.toml", best(lambda: tomli.loads(toml))[0]
    yield "tomli.loads fleet.lock", best(lambda: tomli.loads(lock))[0]
    both = json.dumps([tomli.loads(toml), tomli.loads(lock)])
    yield "json.loads of both (a C parser's floor)", best(lambda: json.loads(both))[0]


def passes(toml: str, lock: str):
    from fleetc import checks, frontend
    from fleetc.core import pipeline
    from fleetc.core.source import Source

    source, locked = Source("fleet.toml", toml), Source("fleet.lock", lock)
    spent, (fleet, _) = best(lambda: frontend.load(source))
    yield "frontend.load (parser, spans, model)", spent
    yield "checks.run", best(lambda: checks.run(fleet))[0]
    placement = pipeline.Placement(PurePosixPath("/bench"))
    quiet = dict(lock=locked, emit_files=False)
    spent, result = best(lambda: pipeline.compile(source, placement, **quiet))
    yield "compile, no emit (check's whole pass)", spent
    layout = pipeline.layout(source, placement, result.output_dir)
    yield "emit", best(lambda: pipeline.emitted(result.fleet, layout))[0]


def measured(found) -> None:
    try:
        for name, seconds in found:
            print(f"{name}\t{seconds * 1e3:.1f} ms")
    except Exception as problem:  # an interface moved under the bench
        print(f"(the rest)\tn/a: {type(problem).__name__}: {problem}")


def main(folder: Path) -> None:
    toml = (folder / "fleet.toml").read_text()
    lock = (folder / "fleet.lock").read_text()
    measured(parsers(toml, lock))
    measured(passes(toml, lock))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
