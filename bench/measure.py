"""One size of the table: the bench fleet in a git repository of its own,
every command of the table run as whole processes, each run right after a run
of the hand-written Nix check of the same fleet."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from fleet import VMS_PER_HOST, fleet_toml
from processes import FLEETC, Timing, files_written, run_once, timed

BENCH = Path(__file__).resolve().parent
REFERENCE = BENCH / "nix_native_check.py"
CHANGED_VM = "vm0x0"
DSL_CHECK = [FLEETC, "check", "fleet.fleet"]
# (row, fleetc arguments before the fleet file); the order users meet them.
TREE_UP_TO_DATE = [
    ("check", ["check"]),
    ("generate --check", ["generate", "--check"]),
    ("generate (no-op)", ["generate"]),
]


def git_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


class Fleet:
    """A bench fleet of `vms` VMs in a git repository of its own."""

    def __init__(self, work: Path, vms: int) -> None:
        self.vms = vms
        self.dir = git_dir(work / f"toml-{vms}")
        self.text = fleet_toml(vms // VMS_PER_HOST)
        (self.dir / "fleet.toml").write_text(self.text)
        self.memory = 1024
        self.twin: Path | None = None  # its DSL twin, once made
        self.aside = work / f"aside-{vms}"

    def fleetc(self, *args: str) -> list[str]:
        return [FLEETC, *args, "fleet.toml"]

    def empty(self) -> None:
        """Moved aside, not deleted: files created right after 11,000 were
        deleted cost the kernel 1-2 s more (h-first measured it, and still
        40 s later), which an operator's first `generate` does not pay."""
        tree = self.dir / "generated"
        if tree.exists():
            self.aside.mkdir(exist_ok=True)
            tree.rename(self.aside / str(len(list(self.aside.iterdir()))))
        (self.dir / "fleet.lock").unlink(missing_ok=True)

    def clear_aside(self) -> None:
        shutil.rmtree(self.aside, ignore_errors=True)

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
        twin = git_dir(work / f"dsl-{self.vms}")
        convert = [FLEETC, "convert", "fleet.toml", "--to", "fleet"]
        convert += ["-o", str(twin / "fleet.fleet")]
        subprocess.run(convert, cwd=self.dir, check=True, capture_output=True)
        shutil.copy(self.dir / "fleet.lock", twin / "fleet.lock")
        return twin

    def written_by(self, argv: list[str], before=None) -> list[str]:
        """The files one run of argv wrote (fleet.toml, which `before` may
        change, aside)."""
        if before:
            before()
        run = lambda: run_once(argv, self.dir)  # noqa: E731
        return files_written(self.dir, run, frozenset({"fleet.toml"}))


class Reference:
    """The hand-written Nix check of the same fleet. It runs right before each
    timed fleetc run, so that each row's ratio compares runs that saw the same
    load; and 10 times before and after them all."""

    def __init__(self, work: Path, vms: int) -> None:
        out = work / f"reference-{vms}.nix"
        make = [sys.executable, str(REFERENCE), str(vms), str(out)]
        subprocess.run(make, check=True)
        self.argv, self.work = ["nix-instantiate", "--eval", str(out)], work
        self.seconds: list[float] = []

    def alone(self, runs: int = 10) -> None:
        self.seconds += timed(self.argv, self.work, runs).seconds

    def paired(self, argv: list[str], cwd: Path, runs: int, before=None, warm=True):
        """(fleetc's Timing, the Nix check's Timing run beside it)."""
        beside: list[float] = []

        def ahead() -> None:
            if before:
                before()
            beside.append(run_once(self.argv, self.work)[0])

        found = timed(argv, cwd, runs, ahead, warm=warm)
        self.seconds += beside[-runs:]
        return found, Timing(beside[-runs:], 0)


def measure(work: Path, vms: int, runs: int, warm: bool = True) -> tuple[Fleet, dict]:
    """Every timed row for one size (Timings; "<row> beside": the Nix check's
    runs paired with it), and the files written; `warm`: an untimed run
    before each row's."""
    fleet, nix = Fleet(work, vms), Reference(work, vms)
    nix.alone()
    generate, change = fleet.fleetc("generate"), fleet.change_one_vm
    rows = [("generate (first)", generate, fleet.dir, fleet.empty)]
    rows += [
        (row, fleet.fleetc(*args), fleet.dir, None) for row, args in TREE_UP_TO_DATE
    ]
    rows.append(("generate (1 VM)", generate, fleet.dir, change))
    found = {}
    for row, argv, cwd, before in rows:
        found[row], found[f"{row} beside"] = nix.paired(argv, cwd, runs, before, warm)
    fleet.twin = fleet.dsl_twin(work)
    dsl = nix.paired(DSL_CHECK, fleet.twin, runs, warm=warm)
    found["check (DSL)"], found["check (DSL) beside"] = dsl
    found["written, no-op"] = fleet.written_by(generate)
    found["written, 1 VM"] = fleet.written_by(generate, change)
    nix.alone()
    found["Nix check"] = Timing(nix.seconds, 0)
    fleet.clear_aside()
    return fleet, found
