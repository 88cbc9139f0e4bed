"""Where a target is missed: the profile of that command (cProfile,
in-process, bench/profile_run.py) at that size, and the floor under it,
measured: fleetc's imports as processes, the parser and each pass alone on the
same fleet's files (bench/floors.py)."""

from __future__ import annotations

from pathlib import Path

import report
from measure import DSL_CHECK, TREE_UP_TO_DATE, Fleet
from processes import PYTHON, output_of, timed

BENCH = Path(__file__).resolve().parent
TOP = 15
IMPORTS = {
    "python -c pass": "pass",
    "import fleetc.cli.main (the command line)": "import fleetc.cli.main",
    "import fleetc.core.pipeline (the compiler)": "import fleetc.core.pipeline",
}


def profile(fleet: Fleet, row: str) -> list[str]:
    """The profile of `row` run once in the state the table timed it in."""
    folder, args = (
        fleet.dir,
        fleet.fleetc(*dict(TREE_UP_TO_DATE).get(row, ["generate"]))[1:],
    )
    if row == "check (DSL)":
        folder, args = fleet.twin, DSL_CHECK[1:]
    elif row == "generate (1 VM)":
        fleet.change_one_vm()
    elif row == "generate (first)":
        fleet.empty()
    argv = [PYTHON, str(BENCH / "profile_run.py"), str(folder), str(TOP), *args]
    return output_of(argv, folder).splitlines()


def floors(fleet: Fleet) -> list[str]:
    argv = [PYTHON, str(BENCH / "floors.py"), str(fleet.dir)]
    return [
        line.replace("\t", ": ") for line in output_of(argv, fleet.dir).splitlines()
    ]


def import_floors(work: Path, runs: int) -> list[str]:
    """Each import as a whole process, median of `runs`."""
    found = []
    for name, code in IMPORTS.items():
        try:
            spent = timed([PYTHON, "-c", code], work, runs).median
            found.append(f"{name}: {spent * 1e3:.1f} ms")
        except SystemExit as failed:  # a module moved under the bench
            found.append(f"{name}: n/a ({str(failed).splitlines()[-1]})")
    return found


def explanations(
    fleets: dict, missed: list, work: Path, runs: int, slow_start: bool
) -> list[str]:
    """Profiles of every missed (size, row), then the floors of those sizes,
    then the imports' (also when only start-up was slow)."""
    lines = []
    for size, row in missed:
        lines += ["", f"### `{row}` at {size:,} VMs: profile", "```"]
        lines += profile(fleets[size], row) + ["```"]
    for size in sorted({size for size, _ in missed}):
        lines += ["", f"### Floors at {size:,} VMs (in-process, best of 3)", "```"]
        lines += floors(fleets[size]) + ["```"]
    if missed or slow_start:
        lines += ["", f"### Imports (processes, medians of {runs})", "```"]
        lines += import_floors(work, runs) + ["```"]
    return lines


def nix_side(results: dict, every: bool) -> list[str]:
    """Where the tree's targets are missed: its bytes by part, and Nix
    parsing the tree's largest file alone beside one host's evaluation."""
    lines = []
    if every or not report.bytes_halved(results):
        size = max(results)
        parts = results[size]["tree parts"]
        lines += ["", f"### The tree's bytes per VM by part, at {size:,} VMs", "```"]
        for part, count in sorted(parts.items(), key=lambda item: -item[1]):
            lines.append(f"{part}: {count / size:,.0f}")
        lines.append("```")
    if every or not report.eval_in_ratio(results):
        lines += ["", "### Host evaluation: Nix parsing the largest file alone", "```"]
        for size, found in results.items():
            if "parse floor" in found:
                name, count, timing = found["parse floor"]
                parse = f"{timing.median:.3f} s"
                lines.append(
                    f"{size:,} VMs: {name} ({count:,} bytes) parsed in {parse}"
                )
        lines.append("```")
    return lines
