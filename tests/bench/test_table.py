"""`bench/table.py --quick` runs end to end (real fleetc processes, real Nix
with the stand-in flakes) and its table has every row issue 24 asks for, with
a cell at each size, and the profiles and floors it prints where a target is
missed (--explain-all prints them for every target). No timing is asserted."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

ROWS = [
    "Nix check",
    "`check`",
    "`generate --check`",
    "`generate (first)`",
    "`generate (no-op)`",
    "`generate (1 VM)`",
    "`check (DSL)`",
    "peak memory",
    "files written: no-op / 1 VM",
    "tree bytes per VM",
    "host evaluation (source in store)",
    "`fleetc --version`",
]
SIZES = ["30 VMs", "300 VMs"]


@pytest.fixture(scope="module")
def printed() -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "table.py"), "--quick", "--explain-all"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def table(printed: str) -> list[list[str]]:
    """The rows of the first markdown table, split into cells."""
    lines = [line for line in printed.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_the_table_has_every_row_in_order(printed: str) -> None:
    head, _, *rows = table(printed)
    assert head[1:3] == SIZES
    assert [row[0] for row in rows] == ROWS


def test_every_size_has_a_cell_in_each_row(printed: str) -> None:
    _, _, *rows = table(printed)
    for row in rows[:-1]:  # start-up is one cell for the whole run
        assert all(row[1:3]), row
    assert re.match(r"\d+ ms \(`python -c pass` \d+ ms", rows[-1][1])


def test_targets_are_marked_where_they_apply(printed: str) -> None:
    """30 VMs: check and generate --check; 300 VMs: the one-VM change."""
    rows = {row[0]: row for row in table(printed)[2:]}
    marked = re.compile(r"\(<=[\d.]+x (ok|\*\*MISSED\*\*)\)$")
    assert marked.search(rows["`check`"][1])
    assert marked.search(rows["`generate --check`"][1])
    assert marked.search(rows["`generate (1 VM)`"][2])
    assert not marked.search(rows["`generate (no-op)`"][1])


def sections(printed: str) -> dict[str, str]:
    """The text under each `### ` heading."""
    parts = re.split(r"^### (.*)$", printed, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_profiles_and_floors_are_measured(printed: str) -> None:
    """--explain-all: what a missed target prints, for every targeted cell."""
    found = sections(printed)
    for row, size in [
        ("check", 30),
        ("generate --check", 30),
        ("generate (1 VM)", 300),
    ]:
        profile = found[f"`{row}` at {size} VMs: profile"]
        assert re.search(r"exit 0; [\d.]+ s under cProfile", profile)
        assert re.search(r"fleetc/cli/main\.py:\d+\(main\)", profile)
    for size in (30, 300):
        floors = found[f"Floors at {size} VMs (in-process, best of 3)"]
        assert re.search(r"^tomli\.loads fleet\.toml: [\d.]+ ms$", floors, re.M)
        assert re.search(r"^compile, no emit .*: [\d.]+ ms$", floors, re.M)
        assert "n/a" not in floors
    imports = found["Imports (processes, medians of 10)"]
    assert re.search(r"^import fleetc\.cli\.main .*: [\d.]+ ms$", imports, re.M)


def test_the_trees_cost_is_explained(printed: str) -> None:
    """--explain-all: the tree's bytes by part, Nix parsing its largest file."""
    found = sections(printed)
    parts = found["The tree's bytes per VM by part, at 300 VMs"]
    assert re.search(r"^vms: [\d,]+$", parts, re.M)
    parsed = found["Host evaluation: Nix parsing the largest file alone"]
    for size in (30, 300):
        assert re.search(
            rf"^{size} VMs: \S+\.nix \([\d,]+ bytes\) parsed in", parsed, re.M
        )
