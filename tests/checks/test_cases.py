"""Every check case in cases/, through the real TOML frontend and the checks.

cases/<code>/<name>.toml is a small bad fleet; the diagnostic it must give is
marked on the line under the one it points at, the caret under its column:

    interfaces = [{ network = "lna" }]
    #                         ^ F006 error

A marker is a TOML comment, so the file is a fleet as it stands (`fleetc check`
it) and the line numbers are the file's own. Only the marked code is compared:
a case may give other diagnostics too. cases/clean/<name>.toml looks suspicious
but is fine: the checks report nothing at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fleetc import checks
from fleetc.core.diagnostics import CODES, Diagnostic, render_text
from fleetc.core.source import Source
from fleetc.frontend.toml import load_toml

CASES = Path(__file__).resolve().parent / "cases"
BAD = sorted(CASES.glob("F*/*.toml"))
CLEAN = sorted(CASES.glob("clean/*.toml"))
MARKER = re.compile(r"# *\^ (F\d{3}) (error|warning)")
# A comment holding a caret is meant as a marker: one that does not parse fails.
LOOKS_LIKE_A_MARKER = re.compile(r"\s*#.*\^")

# The checks own F1xx..F6xx and the FAQ recipes' F9xx, and use three of the
# general F0xx codes.
CHECK_CODES = {code for code in CODES if code[1] in "1234569"} | {
    "F004",
    "F005",
    "F006",
}
# The fleet file's name: a case here is always named fleet.toml
# (tests/checks/test_values.py).
CHECK_CODES -= {"F151"}
# Renames and retired VMs need a fleet.lock: tests/lock/test_lifecycle.py has
# their cases.
CHECK_CODES -= {f"F16{digit}" for digit in range(10)}
# Shares from the repository are judged on disk: tests/e2e/test_repo_shares.py
# has their cases.
CHECK_CODES -= {"F515", "F516", "F517", "F518"}


def markers(text: str) -> list[tuple[str, str, int, int]]:
    """(code, severity, line, column) of each marker; a marker points at the
    nearest line above it that is not a marker."""
    found, target = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        marker = MARKER.fullmatch(line)
        if marker:
            found.append((marker[1], marker[2], target, line.index("^") + 1))
        else:
            if LOOKS_LIKE_A_MARKER.match(line):
                pytest.fail(f"line {number} is not `# ^ CODE error|warning`: {line}")
            target = number
    return found


def diagnose(text: str) -> list[Diagnostic]:
    fleet, read_problems = load_toml(Source("fleet.toml", text))
    assert read_problems == [], [render_text(d) for d in read_problems]
    return checks.run(fleet) + checks.complete(fleet)


def where(diagnostic: Diagnostic) -> tuple[str, str, int, int]:
    line, column = diagnostic.span.line_col
    return diagnostic.code, diagnostic.severity.value, line, column


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", BAD, ids=case_id)
def test_each_bad_fleet_gives_its_diagnostic(path):
    text = path.read_text(encoding="utf-8")
    expected = markers(text)
    codes = {code for code, *_ in expected}
    assert codes == {path.parent.name}, "a case sits in its code's folder"
    found = [where(d) for d in diagnose(text) if d.code in codes]
    assert sorted(found) == sorted(expected)


def test_every_check_code_has_a_case():
    covered = {
        code for path in BAD for code, *_ in markers(path.read_text(encoding="utf-8"))
    }
    assert covered == CHECK_CODES


@pytest.mark.parametrize("path", CLEAN, ids=case_id)
def test_suspicious_but_valid_fleets_pass(path):
    text = path.read_text(encoding="utf-8")
    assert markers(text) == []
    fleet, read_problems = load_toml(Source("fleet.toml", text))
    assert read_problems == []
    assert [render_text(d) for d in checks.run(fleet)] == []
