"""What each diagnostic code means, an example and the fix (`fleetc explain`).

The texts live in data/explain.toml (shipped in the wheel), one table a code;
tests/cli/test_explain.py holds its codes equal to diagnostics.CODES, so a new
code cannot ship without its explanation.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import tomli

from .diagnostics import CODES


@cache
def texts() -> dict[str, dict[str, str]]:
    data = files("fleetc").joinpath("data/explain.toml").read_text(encoding="utf-8")
    return tomli.loads(data)


def explanation(code: str) -> str | None:
    """The text `fleetc explain` prints; None for a code fleetc does not have."""
    entry = texts().get(code)
    if code not in CODES or entry is None:
        return None
    example = "".join(f"    {line}\n" for line in entry["example"].splitlines())
    return (
        f"{code}: {CODES[code]}\n\n{entry['means']}\n\n"
        f"Example:\n{example}\nFix: {entry['fix']}\n"
    )
