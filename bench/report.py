"""The table `make bench` prints: medians, ratios, and each target of issue 11
at 10,000 VMs with whether this run met it."""

from __future__ import annotations

import os
from itertools import pairwise

TARGET_SIZE = 10_000
# row -> (what the ratio is to, at most)
TARGETS = {
    "check": ("reference", 2.0),
    "generate (first)": ("reference", 6.0),
    "generate (no-op)": ("reference", 2.0),
    "generate (1 VM)": ("reference", 3.0),
    "check (DSL)": ("check", 1.5),
}
ROWS = ["reference", *TARGETS]


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load} at the end"


def print_table(results: dict, quick: dict, hook, runs: int) -> None:
    sizes = list(results)
    print(f"\nfleetc bench: medians of {runs} runs (100,000 VMs: 1 run); {machine()}")
    head = "| command | " + " | ".join(f"{n:,} VMs" for n in sizes)
    print(head + " | target at 10,000 | met |")
    print("|---" * (len(sizes) + 3) + "|")
    for row in ROWS:
        cells = [_cell(results[n], row) for n in sizes]
        print(f"| `{row}` | " + " | ".join(cells) + f" | {_target(results, row)} |")
    print(_memory_row(results, sizes))
    print(_scaling_row(results, sizes, "check"))
    print(_scaling_row(results, sizes, "generate (first)"))
    print(_start_up_row(quick, "--version"))
    print(_start_up_row(quick, "--help"))
    met = hook.median < 0.100
    cells = f"{hook.median * 1e3:.0f} ms |" + " |" * (len(sizes) - 1)
    row = "`check` samples/journald (bytecode compiled)"
    print(f"| {row} | {cells} < 100 ms | {_yes(met)} |")
    _print_writes(
        results[TARGET_SIZE] if TARGET_SIZE in results else results[sizes[-1]]
    )


def _cell(found: dict, row: str) -> str:
    seconds = found[row].median
    if row == "reference":
        return f"{seconds:.3f} s"
    base = TARGETS[row][0]
    return f"{seconds:.3f} s ({seconds / found[base].median:.1f}x {_short(base)})"


def _short(base: str) -> str:
    return "ref" if base == "reference" else "TOML"


def _target(results: dict, row: str) -> str:
    if row == "reference" or TARGET_SIZE not in results:
        return "|"
    base, most = TARGETS[row]
    found = results[TARGET_SIZE]
    ratio = found[row].median / found[base].median
    return f"<= {most:g}x {_short(base)} | {_yes(ratio <= most)}"


def _memory_row(results: dict, sizes: list[int]) -> str:
    """Peak RSS of `check` and of the largest `generate`, per size."""
    cells, met = [], False
    for n in sizes:
        check = results[n]["check"].peak_kib
        generate = max(v.peak_kib for k, v in results[n].items() if k.startswith("gen"))
        cells.append(f"check {check / 1024:.0f} / generate {generate / 1024:.0f} MiB")
        met = met or (n == TARGET_SIZE and max(check, generate) < 150 * 1024)
    return f"| peak memory | {' | '.join(cells)} | < 150 MiB | {_yes(met)} |"


def _scaling_row(results: dict, sizes: list[int], row: str) -> str:
    cells = ["1.0x"]
    for smaller, larger in pairwise(sizes):
        cells.append(
            f"{results[larger][row].median / results[smaller][row].median:.1f}x"
        )
    target, met = "100k <= 11x 10k", ""
    if 100_000 in results:
        ratio = results[100_000][row].median / results[TARGET_SIZE][row].median
        met = _yes(ratio <= 11)
    return (
        f"| `{row}`, each size over the one before | "
        + " | ".join(cells)
        + f" | {target} | {met} |"
    )


def _start_up_row(quick: dict, row: str) -> str:
    base = quick["python3 -c pass"].median
    spent = quick[row].median
    extra = (spent - base) * 1e3
    return (
        f"| `fleetc {row}` | {spent * 1e3:.0f} ms (python3 -c pass {base * 1e3:.0f} ms,"
        f" +{extra:.0f} ms) | | <= +30 ms | {_yes(extra <= 30)} |"
    )


def _print_writes(found: dict) -> None:
    noop = found["no-op writes"]
    print(f"\nno-op generate: {len(noop)} file-changing syscalls (strace)")
    for call in noop[:5]:
        print(f"  {call}")
    print("one VM's memory changed, files created, opened for writing or renamed into:")
    for path in found["1 VM writes"]:
        print(f"  {path}")


def _yes(met: bool) -> str:
    return "yes" if met else "**no**"
