"""A short fuzz run (tests/support/fuzz.py) in every `make test`; `make fuzz` runs 100,000
inputs per frontend on two cores and reports time per byte.

No exception for any input, and every accepted tree parses with Nix. Failing
inputs are saved; `fleetc check <file>` shows the problem again.
"""

from __future__ import annotations

import re

from tests.support import fuzz
from tests.support.fuzz_mutate import make_input

# 1,500 inputs per frontend: about 7 s on one core.
SHORT_RUN = 1_500


def test_short_fuzz_run_has_no_failures(tmp_path):
    report = fuzz.fuzz(SHORT_RUN)
    saved = [str(failure.save(tmp_path)) for failure in report.failures]
    summaries = [failure.summary for failure in report.failures]
    assert report.failures == [], "\n".join(saved + summaries)
    assert report.inputs == 2 * SHORT_RUN
    # The run must reach the emitter and Nix, not stop at syntax errors only.
    assert report.accepted > SHORT_RUN // 10
    assert len(report.nix_files) > 100


def test_short_run_tries_what_broke_fleetc_before():
    """The two tracebacks fuzzing found (issue 9): a DSL integer of thousands
    of digits, and a Hydra URL with an unclosed `[`. Both, and an integer just
    past 64 bits, are among the inputs of the short run."""
    inputs = {
        frontend: [make_input(0, frontend, index) for index in range(SHORT_RUN)]
        for frontend in fuzz.FRONTENDS
    }
    thousands = re.compile(r"(?m)^\s*\w[\w-]* [0-9]{4301,}")
    assert any(thousands.search(text) for text in inputs["fleet"])
    hydra = re.compile(r'hydra[ =]+"?https?://[^\s"]*\[')
    assert any(hydra.search(text) for text in inputs["fleet"] + inputs["toml"])
    assert any("= 18446744073709551616" in text for text in inputs["toml"])


def test_short_run_puts_hostile_values_where_microvm_nix_splices_them():
    """Issue 13: tags, sources, sockets, images, state_dir, system and
    addresses get values that mean something else to qemu, a shell or systemd."""
    for frontend in fuzz.FRONTENDS:
        texts = [make_input(0, frontend, index) for index in range(SHORT_RUN)]
        placed = [t for t in texts if '"data,id=x"' in t or '"../x"' in t]
        assert len(placed) > 20, frontend
