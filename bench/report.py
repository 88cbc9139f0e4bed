"""The table `make bench` prints: medians, each fleetc row's ratio to the Nix
check of the same fleet in the same run, and every target of issue 24 marked
where it applies (`ok`, or `**MISSED**`)."""

from __future__ import annotations

import os

import targets

TIMED = [
    "check",
    "generate --check",
    "generate (first)",
    "generate (no-op)",
    "generate (1 VM)",
    "check (DSL)",
]
EVAL = "host evaluation (source in store)"
BYTES = "tree bytes per VM"
# Every row the table has, in order (tests/bench checks them).
ROWS = ["Nix check", *TIMED, "peak memory", "files written: no-op / 1 VM", BYTES, EVAL]
ROWS += ["`fleetc --version`"]


def mark(met: bool, target: str) -> str:
    return f" ({target} {'ok' if met else '**MISSED**'})"


def ratio(found: dict, row: str) -> float:
    """Over the Nix check's runs paired with the row's (measure.Reference)."""
    return found[row].median / found[f"{row} beside"].median


def timed_cell(size: int, found: dict, row: str) -> str:
    cell = f"{found[row].median:.3f} s, {ratio(found, row):.1f}x"
    most = targets.RATIOS.get((size, row))
    return cell + (mark(ratio(found, row) <= most, f"<={most:g}x") if most else "")


def timed_target(row: str) -> str:
    found = [f"{n:,}: <={x:g}x" for (n, r), x in targets.RATIOS.items() if r == row]
    return "; ".join(found)


def scaling_cell(results: dict, row: str) -> str:
    """100,000 over 10,000 VMs, where both ran."""
    if 100_000 not in results or 10_000 not in results:
        return ""
    times = results[100_000][row].median / results[10_000][row].median
    return f"{times:.1f}x" + mark(times <= targets.SCALING, f"<={targets.SCALING:g}x")


def peak_cell(size: int, found: dict) -> str:
    def mib(rows):
        return max(found[r].peak_kib for r in rows) / 1024

    checks = mib([r for r in TIMED if r.startswith("check")])
    generates = mib([r for r in TIMED if r.startswith("generate")])
    cell = f"check {checks:.0f} / generate {generates:.0f} MiB"
    at, most = targets.PEAK_MIB
    met = max(checks, generates) < most
    return cell + (mark(met, f"<{most} MiB") if size == at else "")


def bytes_cell(size: int, found: dict) -> str:
    per_vm = found[BYTES]
    base = targets.BASELINE_BYTES_PER_VM.get(size)
    if base is None:
        return f"{per_vm:,.0f}"
    times = per_vm / base
    return f"{per_vm:,.0f} ({times:.2f}x main's {base:,})" + mark(
        times <= 0.5, "<=0.5x"
    )


def eval_cell(size: int, results: dict) -> str:
    found = results[size].get(EVAL)
    if found is None:
        return ""
    if isinstance(found, str):
        return "failed (below)"
    small, large = targets.EVAL_SIZES
    cell = f"{found.median:.3f} s"
    times = eval_ratio(results) if size == large else None
    if times is None:
        return cell
    met = times <= targets.EVAL_RATIO
    return cell + f", {times:.2f}x {small:,}" + mark(met, f"<={targets.EVAL_RATIO:g}x")


def eval_ratio(results: dict) -> float | None:
    small, large = (results.get(n, {}).get(EVAL) for n in targets.EVAL_SIZES)
    if (
        small is None
        or large is None
        or isinstance(small, str)
        or isinstance(large, str)
    ):
        return None
    return large.median / small.median


def start_up_extra_ms(startup: dict) -> float:
    python, version = startup["python -c pass"].median, startup["--version"].median
    return (version - python) * 1e3


def started_in_time(startup: dict) -> bool:
    return start_up_extra_ms(startup) <= targets.START_UP_MS


def start_up_cell(startup: dict) -> str:
    python, version = startup["python -c pass"].median, startup["--version"].median
    extra = start_up_extra_ms(startup)
    cell = f"{version * 1e3:.0f} ms (`python -c pass` {python * 1e3:.0f} ms: +{extra:.0f} ms)"
    return cell + mark(started_in_time(startup), f"<=+{targets.START_UP_MS} ms")


def row_cells(results: dict, row: str) -> tuple[list[str], str]:
    """The cells of one row, one a size, and its target column."""
    sizes = list(results)
    if row == "Nix check":
        return [f"{results[n][row].median:.3f} s" for n in sizes], "the reference"
    if row in TIMED:
        return [timed_cell(n, results[n], row) for n in sizes], timed_target(row)
    if row == "peak memory":
        return [peak_cell(n, results[n]) for n in sizes], "10,000: < 150 MiB"
    if row == BYTES:
        return [
            bytes_cell(n, results[n]) for n in sizes
        ], f"half of main's at {targets.BASELINE_COMMIT}"
    if row == EVAL:
        return [eval_cell(n, results) for n in sizes], "10,000 <= 1.5x 1,000"
    noop, one = "written, no-op", "written, 1 VM"
    return [
        f"{len(results[n][noop])} / {len(results[n][one])}" for n in sizes
    ], "only what changed"


def table(results: dict, startup: dict, runs: int) -> list[str]:
    sizes = list(results)
    scaling = 100_000 in results and 10_000 in results
    head = ["", *(f"{n:,} VMs" for n in sizes)] + (["100k / 10k"] if scaling else [])
    lines = ["| " + " | ".join(head + ["target"]) + " |"]
    lines.append("|---" * (len(head) + 1) + "|")
    for row in ROWS[:-1]:
        cells, target = row_cells(results, row)
        if scaling:
            cells.append(scaling_cell(results, row) if row in TIMED else "")
        name = f"`{row}`" if row in TIMED else row
        lines.append("| " + " | ".join([name, *cells, target]) + " |")
    blank = [""] * (len(head) - 2)
    lines.append(
        "| " + " | ".join([ROWS[-1], start_up_cell(startup), *blank, ""]) + " |"
    )
    return lines


def heading(runs: int, sizes: list[int]) -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    runs_told = f"medians of {runs} runs" if runs > 1 else "one run (a smoke test)"
    if 100_000 in sizes:
        runs_told += " (100,000 VMs: one run)"
    return (
        f"fleetc bench: whole processes, {runs_told}; ratios to the Nix check "
        f"of the same fleet in the same run; {os.cpu_count()} cores, load average "
        f"{load} at the end"
    )


def missed(results: dict, every: bool = False) -> list[tuple[int, str]]:
    """(size, row) of every timed target this run missed (`every`: of every
    timed target)."""
    found = []
    for (size, row), most in targets.RATIOS.items():
        if size in results and (every or ratio(results[size], row) > most):
            found.append((size, row))
    return found


def written_list(results: dict) -> list[str]:
    size = max(results)
    names = results[size]["written, 1 VM"]
    shown = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
    return [f"One VM's `mem` changed, then `generate`, at {size:,} VMs, wrote: {shown}"]


def eval_failures(results: dict) -> list[str]:
    found = []
    for size, rows in results.items():
        if isinstance(rows.get(EVAL), str):
            found += ["", f"Host evaluation at {size:,} VMs failed:", "```"]
            found += rows[EVAL].splitlines()[-15:] + ["```"]
    return found


def bytes_halved(results: dict) -> bool:
    """Every size with a baseline has at most half of main's bytes per VM."""
    base = targets.BASELINE_BYTES_PER_VM
    return all(found[BYTES] <= base[n] / 2 for n, found in results.items() if n in base)


def eval_in_ratio(results: dict) -> bool:
    times = eval_ratio(results)
    return times is not None and times <= targets.EVAL_RATIO
