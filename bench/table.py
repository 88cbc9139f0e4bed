"""`make bench`: fleetc against the fleet check a Nix user writes by hand.

At each size (30, 300, 1,000 and 10,000 VMs; 100,000 with --100k, one run),
the bench fleet (fleet.py, 10 VMs a host) and the reference check
(nix_native_check.py, evaluated by nix-instantiate) run as whole processes in
the same run, medians of --runs (5), printed as one table with each target of
issue 24 marked. Then what the generated tree costs Nix (nixcost.py), and,
where a target is missed, the profile and the floor (explain.py).
--quick: 30 and 300 VMs, one run each (a smoke test of the harness; its
ratios mean little).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import explain
import report
import targets
from measure import measure
from nixcost import Evaluator, parse_floor, tree_parts
from processes import FLEETC, PYTHON, timed

SIZES = [30, 300, 1_000, 10_000]


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs a cell (median)")
    parser.add_argument("--quick", action="store_true", help="30 and 300 VMs, 1 run")
    parser.add_argument(
        "--100k", dest="big", action="store_true", help="add 100,000 VMs"
    )
    parser.add_argument("--sizes", help="comma-separated VM counts, e.g. 1000,10000")
    parser.add_argument(
        "--explain-all",
        action="store_true",
        help="the profile and floor of every targeted cell, met or not",
    )
    args = parser.parse_args()
    args.sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else SIZES
    if args.quick:
        args.sizes, args.runs = [30, 300], 1
    args.sizes += [100_000] if args.big else []
    return args


def eval_sizes(sizes: list[int]) -> tuple[int, ...]:
    """The sizes one host's evaluation is timed at: issue 24's pair, or the
    two largest below 100,000 when the run lacks one of them."""
    if all(n in sizes for n in targets.EVAL_SIZES):
        return targets.EVAL_SIZES
    return tuple(sorted(n for n in sizes if n < 100_000)[-2:])


def nix_cost(found: dict, fleet, evaluator: Evaluator | None, runs: int) -> None:
    tree = fleet.dir / "generated"
    found["tree parts"] = tree_parts(tree)
    found[report.BYTES] = sum(found["tree parts"].values()) / fleet.vms
    if evaluator is None:
        return
    found["parse floor"] = parse_floor(tree, runs)
    try:
        found[report.EVAL] = evaluator.host_eval(tree, runs)
    except SystemExit as failed:  # the table still prints; the error below it
        found[report.EVAL] = str(failed)


def start_up(work: Path, runs: int) -> dict:
    many = max(runs, 10)
    return {
        "python -c pass": timed([PYTHON, "-c", "pass"], work, many),
        "--version": timed([FLEETC, "--version"], work, many),
    }


def run_all(args: argparse.Namespace, work: Path) -> list[str]:
    results, fleets = {}, {}
    evaluated = eval_sizes(args.sizes)
    evaluator = Evaluator()
    try:
        for size in args.sizes:
            small = size < 100_000  # 100,000: one run, none untimed
            runs = args.runs if small else 1
            print(f"bench: {size:,} VMs ...", file=sys.stderr, flush=True)
            fleets[size], results[size] = measure(work, size, runs, warm=small)
            use = evaluator if size in evaluated else None
            nix_cost(results[size], fleets[size], use, max(runs, 9))
    finally:
        evaluator.close()
    startup = start_up(work, args.runs)
    return lines(results, fleets, startup, args, work)


def lines(results, fleets, startup, args, work: Path) -> list[str]:
    out = ["", report.heading(args.runs, args.sizes), ""]
    out += report.table(results, startup, args.runs)
    out += ["", *report.written_list(results), *report.eval_failures(results)]
    missed = report.missed(results, args.explain_all)
    slow = args.explain_all or not report.started_in_time(startup)
    out += explain.explanations(fleets, missed, work, max(args.runs, 10), slow)
    return out + explain.nix_side(results, args.explain_all)


def main() -> None:
    args = options()
    with tempfile.TemporaryDirectory(prefix="fleetc-bench-") as scratch:
        print("\n".join(run_all(args, Path(scratch))))


if __name__ == "__main__":
    main()
