"""Rewrite every golden (tests/cases/*, samples/*/generated), and the DSL
parser's saved tables (compiler/fleetc/grammar/fleet.lark.pickle). Review the
diff after."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleetc.frontend.dsl import syntax as dsl_syntax  # noqa: E402
from goldens import (  # noqa: E402
    case_dirs,
    regenerate_case,
    regenerate_sample,
    sample_dirs,
)

for case in case_dirs():
    regenerate_case(case)
    print(f"regenerated {case.relative_to(case.parent.parent.parent)}")
for sample in sample_dirs():
    regenerate_sample(sample)
    print(f"regenerated {sample.relative_to(sample.parent.parent)}/generated")

GRAMMAR = Path(__file__).resolve().parent.parent / "compiler" / "fleetc" / "grammar"
grammar = (GRAMMAR / "fleet.lark").read_text(encoding="utf-8")
saved = GRAMMAR / dsl_syntax.SAVED
# lark's pickle is not byte-stable: rewrite it only when it is for another
# grammar or lark, so that a regeneration without changes changes nothing.
if (
    dsl_syntax.saved_parser(grammar, saved.read_bytes() if saved.exists() else b"")
    is None
):
    saved.write_bytes(dsl_syntax.saved_bytes(grammar))
    print(f"regenerated {dsl_syntax.SAVED}")
