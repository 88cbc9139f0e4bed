"""`fleetc explain CODE`: every code of diagnostics.CODES has a meaning, an
example and a fix, printed by the real command; nothing else has one."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fleetc.core.diagnostics import CODES
from fleetc.core.explanations import texts

from tests.support.goldens import run_fleetc


def test_the_data_file_explains_exactly_the_codes():
    assert list(texts()) == list(CODES)


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_explained(tmp_path, code):
    status, stdout, _ = run_fleetc(tmp_path, "explain", code.lower())
    assert status == 0
    head, means, example, fix = stdout.split("\n\n")
    assert head == f"{code}: {CODES[code]}"
    assert len(means) > len(CODES[code])  # more than the title again
    assert example.startswith("Example:\n    ") and len(example) > 14
    assert fix.startswith("Fix: ") and len(fix.strip()) > 10


def test_the_installed_command_explains(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", "explain", "F805"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert "fleetc generate without --locked" in done.stdout


def test_an_unknown_code_is_a_usage_error(tmp_path):
    status, stdout, stderr = run_fleetc(tmp_path, "explain", "F999")
    assert (status, stdout) == (2, "")
    assert stderr == "fleetc: no diagnostic code F999; codes look like F203\n"
