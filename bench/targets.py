"""Issue 24's targets, as ratios to the hand-written Nix check of the same
fleet in the same run, and main's tree size when the issue's round began."""

from __future__ import annotations

# (VMs, row) -> the most the row may cost, as a multiple of the Nix check.
RATIOS = {
    (30, "check"): 3.0,
    (30, "generate --check"): 4.0,
    (300, "generate (1 VM)"): 5.0,
    (10_000, "check"): 8.0,
    (10_000, "generate --check"): 10.0,
    (10_000, "generate (1 VM)"): 12.0,
    (10_000, "generate (first)"): 20.0,
}
PEAK_MIB = (10_000, 150)  # under, at that size
START_UP_MS = 40  # `fleetc --version` over `python -c pass`
SCALING = 11.0  # 100,000 VMs over 10,000, time of each fleetc row
EVAL_SIZES = (1_000, 10_000)  # one host's evaluation, the larger over the smaller
EVAL_RATIO = 1.5
# Bytes of the generated tree per VM on main at 19cfa43 (the round's start),
# bench/nixcost.py's tree_bytes over the bench fleet; the target is half.
BASELINE_COMMIT = "19cfa43"
BASELINE_BYTES_PER_VM = {30: 3542, 300: 3486, 1_000: 3485, 10_000: 3503}
