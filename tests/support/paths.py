"""Where the tests find the repository's files: one place, so that a test
module can move between areas without counting `..`s."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
# Golden cases (tests/support/goldens.py) and the Nix stand-ins (nixeval.py).
CASES = ROOT / "tests" / "cases"
NIX_DIR = ROOT / "tests" / "nix"
DATA = ROOT / "compiler" / "fleetc" / "data"
GRAMMAR = ROOT / "compiler" / "fleetc" / "grammar"
