"""`make bench`: fleetc against the fleet check a Nix user writes by hand.

For each size (1,000 and 10,000 VMs; 100,000 with BENCH_100K=1, one run),
the bench fleet (bench.py's generator, 10 VMs a host) and the reference check
(bench/nix_native_check.py, evaluated by nix-instantiate) are timed
as whole processes in the same run, medians of BENCH_RUNS (default 5) runs,
and printed as one table with the ratios the targets of issue 11 are set in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import fleet_toml
from processes import (
    FLEETC,
    Timing,
    paths_written,
    timed,
    writing_syscalls,
)

ROOT = Path(__file__).resolve().parent.parent
# A verbatim copy of ../shared/bench/nix-native-check.py (issue 11's reference),
# so that `make bench` needs nothing outside the checkout.
REFERENCE = Path(os.environ.get("BENCH_REFERENCE", ROOT / "bench/nix_native_check.py"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CHANGED_VM = "vm0x0"


def git_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def reference(work: Path, vms: int, runs: int) -> Timing:
    out = work / f"reference-{vms}.nix"
    subprocess.run([sys.executable, str(REFERENCE), str(vms), str(out)], check=True)
    return timed(["nix-instantiate", "--eval", str(out)], work, runs)


class Fleet:
    """A bench fleet in a git repository of its own, and its DSL twin in another."""

    def __init__(self, work: Path, vms: int) -> None:
        self.dir = git_dir(work / f"toml-{vms}")
        self.text = fleet_toml(vms // 10, 10)
        (self.dir / "fleet.toml").write_text(self.text)
        self.memory = 1024

    def fleetc(self, *args: str) -> list[str]:
        return [FLEETC, *args, "fleet.toml"]

    def empty(self) -> None:
        shutil.rmtree(self.dir / "generated", ignore_errors=True)
        (self.dir / "fleet.lock").unlink(missing_ok=True)

    def change_one_vm(self) -> None:
        """The next memory size for one VM: every run is a real change."""
        head = f'[vms.{CHANGED_VM}]\nhost = "h0"\nmem = '
        new = 3072 if self.memory == 2048 else 2048
        old_text = f"{head}{self.memory}\n"
        self.text = self.text.replace(old_text, f"{head}{new}\n", 1)
        self.memory = new
        (self.dir / "fleet.toml").write_text(self.text)

    def dsl_twin(self, work: Path) -> Path:
        """The same fleet as fleet.fleet, with this fleet's lock, alone in its
        repository (beside fleet.toml, check would compile both)."""
        twin = git_dir(work / f"dsl-{self.dir.name}")
        convert = [FLEETC, "convert", "fleet.toml", "--to", "fleet"]
        convert += ["-o", str(twin / "fleet.fleet")]
        subprocess.run(convert, cwd=self.dir, check=True, capture_output=True)
        shutil.copy(self.dir / "fleet.lock", twin / "fleet.lock")
        return twin


def measure(work: Path, vms: int, runs: int) -> dict:
    """Every row of the table for one size, in the order a user meets them."""
    fleet = Fleet(work, vms)
    found = {"reference": reference(work, vms, runs)}
    found["generate (first)"] = timed(
        fleet.fleetc("generate"), fleet.dir, runs, fleet.empty
    )
    found["check"] = timed(fleet.fleetc("check"), fleet.dir, runs)
    noop = fleet.fleetc("generate")
    found["generate (no-op)"] = timed(noop, fleet.dir, runs)
    found["no-op writes"] = writing_syscalls(noop, fleet.dir)
    found["generate (1 VM)"] = timed(
        fleet.fleetc("generate"), fleet.dir, runs, fleet.change_one_vm
    )
    fleet.change_one_vm()
    calls = writing_syscalls(fleet.fleetc("generate"), fleet.dir)
    found["1 VM writes"] = paths_written(calls)
    twin = fleet.dsl_twin(work)
    dsl = [FLEETC, "check", "fleet.fleet"]
    found["check (DSL)"] = timed(dsl, twin, runs)
    return found


def start_up(work: Path, runs: int) -> dict:
    """`--version` and `--help` against a Python that does nothing."""
    many = max(runs, 20)
    return {
        "python3 -c pass": timed([sys.executable, "-c", "pass"], work, many),
        "--version": timed([FLEETC, "--version"], work, many),
        "--help": timed([FLEETC, "--help"], work, many),
    }


def pre_commit(work: Path, runs: int) -> Timing:
    """`fleetc check` of samples/journald (with its twin) as pre-commit runs it,
    with bytecode compiled as an installed wheel has it (this machine sets
    PYTHONDONTWRITEBYTECODE=1: one untimed run with it unset writes it)."""
    sample = work / "journald"
    shutil.copytree(ROOT / "samples/journald", sample)
    subprocess.run(["git", "init", "-q", str(sample)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    check = [FLEETC, "check", "fleet.toml"]
    timed(check, sample, 1, env=env)
    return timed(check, sample, max(runs, 10), env=env)


def main() -> None:
    sizes = [1_000, 10_000] + ([100_000] if os.environ.get("BENCH_100K") else [])
    if os.environ.get("BENCH_SIZES"):  # e.g. "10000,100000"
        sizes = [int(n) for n in os.environ["BENCH_SIZES"].split(",")]
    with tempfile.TemporaryDirectory(prefix="fleetc-bench-") as scratch:
        work = Path(scratch)
        results = {
            vms: measure(work, vms, RUNS if vms < 100_000 else 1) for vms in sizes
        }
        quick = start_up(work, RUNS)
        hook = pre_commit(work, RUNS)
    from report import print_table

    print_table(results, quick, hook, RUNS)


if __name__ == "__main__":
    main()
