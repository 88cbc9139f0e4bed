"""Fuzz both frontends through the pure core: `make fuzz`, and a short run in
`make test` (tests/fuzz/test_fuzz.py).

Each input (tests/support/fuzz_mutate.py) goes through `pipeline.compile` in-process.
What must hold:

- no exception, for any input: each one is a failure, its input saved to
  `--save` (`fleetc check <file>` shows it again);
- every accepted tree parses: its .nix files go, once per distinct content,
  to `nix-instantiate --parse`, hundreds of files a call;
- and, reported rather than asserted, the time per byte of the slowest input,
  beside that of the 10,000-VM bench fleet (bench/fleet.py).

    python -m tests.support.fuzz --count 100000 --jobs 2
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import multiprocessing
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from fleetc.core import pipeline
from fleetc.core.source import Source

from tests.support.fuzz_mutate import make_input, seeds
from tests.support.nixeval import NixError, parse
from tests.support.paths import ROOT

FRONTENDS = ("toml", "fleet")
PLACEMENT = pipeline.Placement(PurePosixPath("/fuzz"))
# An input still compiling after this long is a failure of its own.
TIMEOUT_SECONDS = 20
CHUNK = 250  # inputs per task handed to a worker
NIX_BATCH = 400  # files per nix-instantiate call
LARGE = 16_000  # bytes: an input this large is timed on its own as well


class Timeout(Exception):
    pass


@dataclass
class Failure:
    frontend: str
    index: int
    text: str
    problem: str  # a traceback, or nix-instantiate's complaint

    @property
    def summary(self) -> str:
        """The exception's last line, or Nix's `error:` line."""
        lines = self.problem.strip().splitlines()
        said = [line for line in lines if line.startswith("error:")]
        return (said or lines or ["?"])[-1]

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.frontend}-{self.index}.{self.frontend}"
        path.write_text(self.text, encoding="utf-8", errors="surrogateescape")
        path.with_suffix(".problem.txt").write_text(self.problem, encoding="utf-8")
        return path


@dataclass
class Slowest:
    seconds_per_byte: float = 0.0
    frontend: str = ""
    index: int = -1
    size: int = 0

    def beaten_by(self, other: Slowest) -> Slowest:
        return other if other.seconds_per_byte > self.seconds_per_byte else self


@dataclass
class Report:
    inputs: int = 0
    accepted: int = 0
    failures: list[Failure] = field(default_factory=list)
    # content hash -> (text, frontend, index of the first input that made it)
    nix_files: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    # "toml", "fleet", and "toml >= 16 kB"...: inputs that large no longer
    # pay mostly the fixed costs of a compile.
    slowest: dict[str, Slowest] = field(default_factory=dict)

    def add(self, other: Report) -> None:
        self.inputs += other.inputs
        self.accepted += other.accepted
        self.failures += other.failures
        for digest, found in other.nix_files.items():
            self.nix_files.setdefault(digest, found)
        for kind, run in other.slowest.items():
            self.record(kind, run)

    def record(self, kind: str, run: Slowest) -> None:
        self.slowest[kind] = self.slowest.get(kind, Slowest()).beaten_by(run)


# -- one input ------------------------------------------------------------------


def compile_text(frontend: str, text: str) -> pipeline.Result:
    return pipeline.compile(Source(f"fleet.{frontend}", text), PLACEMENT)


def _alarm(signum, frame):
    raise Timeout(f"still compiling after {TIMEOUT_SECONDS} s")


def run_one(report: Report, run_seed: int, frontend: str, index: int) -> None:
    text = make_input(run_seed, frontend, index)
    report.inputs += 1
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT_SECONDS)
    try:
        result = compile_text(frontend, text)
    except BaseException as problem:  # Timeout and RecursionError included
        if isinstance(problem, KeyboardInterrupt):
            raise
        failure = Failure(frontend, index, text, traceback.format_exc())
        report.failures.append(failure)
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    _timed(report, Slowest(time.perf_counter() - start, frontend, index, len(text)))
    if result.ok:
        report.accepted += 1
        _keep_nix(report, result.files, frontend, index)


def _timed(report: Report, run: Slowest) -> None:
    run.seconds_per_byte = run.seconds_per_byte / max(run.size, 1)
    report.record(run.frontend, run)
    if run.size >= LARGE:
        report.record(f"{run.frontend} >= {LARGE // 1000} kB", run)


def _keep_nix(report: Report, files: dict, frontend: str, index: int) -> None:
    for name, content in files.items():
        if name.endswith(".nix"):
            digest = hashlib.sha256(content.encode()).hexdigest()
            report.nix_files.setdefault(digest, (content, frontend, index))


def run_chunk(task: tuple[int, str, int, int]) -> Report:
    run_seed, frontend, start, stop = task
    signal.signal(signal.SIGALRM, _alarm)
    # Untimed: the first compile of a process builds the DSL parser.
    compile_text(frontend, seeds(frontend)[0])
    report = Report()
    for index in range(start, stop):
        run_one(report, run_seed, frontend, index)
    return report


# -- many inputs ----------------------------------------------------------------


def tasks(run_seed: int, frontends, count: int) -> list[tuple[int, str, int, int]]:
    return [
        (run_seed, frontend, start, min(start + CHUNK, count))
        for frontend in frontends
        for start in range(0, count, CHUNK)
    ]


def fuzz(count: int, frontends=FRONTENDS, jobs: int = 1, run_seed: int = 0) -> Report:
    """`count` inputs per frontend; then every distinct accepted .nix file parsed."""
    report = Report()
    work = tasks(run_seed, frontends, count)
    if jobs == 1:
        for task in work:
            report.add(run_chunk(task))
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for part in pool.imap_unordered(run_chunk, work):
                report.add(part)
    report.failures += unparsable(report.nix_files, run_seed)
    return report


def unparsable(nix_files: dict, run_seed: int) -> list[Failure]:
    """Failures for files `nix-instantiate --parse` refuses, batch by batch."""
    items = list(nix_files.items())
    failures: list[Failure] = []
    with tempfile.TemporaryDirectory(prefix="fleetc-fuzz-") as folder:
        for start in range(0, len(items), NIX_BATCH):
            batch = items[start : start + NIX_BATCH]
            failures += _parse_batch(Path(folder), batch, run_seed)
    return failures


def _parse_batch(folder: Path, batch: list, run_seed: int) -> list[Failure]:
    paths = []
    for digest, (content, _, _) in batch:
        path = folder / f"{digest}.nix"
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    try:
        parse(paths)
        return []
    except NixError:
        # Rare: find which files, one call each.
        found = (_parse_one(folder, item, run_seed) for item in batch)
        return [failure for failure in found if failure is not None]


def _parse_one(folder: Path, item, run_seed: int) -> Failure | None:
    digest, (content, frontend, index) = item
    try:
        parse([folder / f"{digest}.nix"])
        return None
    except NixError as problem:
        text = make_input(run_seed, frontend, index)
        return Failure(frontend, index, text, f"{problem}\n--- the file:\n{content}")


# -- the bench fleet, for time per byte -----------------------------------------


def bench_seconds_per_byte() -> dict[str, float]:
    """The 10,000-VM bench fleet, in both formats, through `compile`."""
    from fleetc.convert import to_fleet

    # bench/ is a folder of scripts, not a package: its file is loaded by path.
    spec = importlib.util.spec_from_file_location("bench", ROOT / "bench" / "fleet.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    fleet_toml = bench.fleet_toml

    toml = fleet_toml(1000, 10)
    texts = {"toml": toml, "fleet": to_fleet(compile_text("toml", toml).fleet)}
    return {frontend: _per_byte(frontend, text) for frontend, text in texts.items()}


def _per_byte(frontend: str, text: str, runs: int = 2) -> float:
    """Best of `runs`: one run on a busy machine may be slow for other reasons."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        compile_text(frontend, text)
        best = min(best, time.perf_counter() - start)
    return best / len(text)


def _retimed(slowest: Slowest, run_seed: int) -> float:
    text = make_input(run_seed, slowest.frontend, slowest.index)
    return _per_byte(slowest.frontend, text, runs=3)


# -- the command ----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    options = _options().parse_args(argv)
    started = time.perf_counter()
    report = fuzz(options.count, options.frontends, options.jobs, options.seed)
    elapsed = time.perf_counter() - started
    print(
        f"{report.inputs} inputs ({options.count} per frontend) in {elapsed:.0f} s;"
        f" {report.accepted} accepted, {len(report.nix_files)} distinct .nix files parsed"
    )
    for failure in report.failures:
        path = failure.save(options.save)
        print(f"FAILED: {path}: {failure.summary}")
    if options.timing:
        print_timing(report, options.seed)
    print(f"{len(report.failures)} failures")
    return 1 if report.failures else 0


def print_timing(report: Report, run_seed: int) -> None:
    bench = bench_seconds_per_byte()
    for frontend, seconds in bench.items():
        print(f"bench fleet (10,000 VMs) as {frontend}: {seconds * 1e6:.2f} us/byte")
    for kind, slowest in sorted(report.slowest.items()):
        per_byte = _retimed(slowest, run_seed)
        ratio = per_byte / bench[slowest.frontend]
        print(
            f"slowest {kind} input: #{slowest.index}, {slowest.size} bytes,"
            f" {per_byte * 1e6:.2f} us/byte = {ratio:.2f} x the bench fleet"
        )


def _options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--count", type=int, default=100_000, help="per frontend")
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--seed", type=int, default=0)
    options.add_argument("--frontends", nargs="+", default=list(FRONTENDS))
    options.add_argument("--save", type=Path, default=Path("fuzz-failures"))
    options.add_argument("--no-timing", dest="timing", action="store_false")
    return options


if __name__ == "__main__":
    sys.exit(main())
