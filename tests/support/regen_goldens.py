"""Rewrite every golden (tests/cases/*, samples/*/generated), and the DSL
parser's saved tables (compiler/fleetc/grammar/fleet.lark.pickle). Review the
diff after. `make goldens`, or from the repository's root:

    python -m tests.support.regen_goldens
"""

from __future__ import annotations

from fleetc.frontend.dsl import syntax as dsl_syntax

from tests.support.goldens import (
    case_dirs,
    regenerate_case,
    regenerate_sample,
    sample_dirs,
)
from tests.support.paths import GRAMMAR

for case in case_dirs():
    regenerate_case(case)
    print(f"regenerated {case.relative_to(case.parent.parent.parent)}")
for sample in sample_dirs():
    regenerate_sample(sample)
    print(f"regenerated {sample.relative_to(sample.parent.parent)}/generated")

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
