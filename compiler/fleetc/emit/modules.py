"""hosts/<host>.nix and vms/<vm>.nix as a reviewer expects a NixOS module: an
attribute set (its other modules in `imports`), a function only of the module
arguments it uses, and passed through lib/compat.nix (emit/compat.py) when it
writes an option older microvm.nix generations lack."""

from __future__ import annotations

import re
from typing import Any

from . import nix
from .templating import header

# The module arguments fleetc's Nix may use, in the order they are listed.
ARGUMENTS = (
    "config",
    "lib",
    "options",
    "pkgs",
    "inputs",
    "self",
    "repoRoot",
    "fleetRoot",
)
# An argument's name where Nix reads it: not inside a path or a longer name.
_USE = re.compile(r"(?<![\w.'/-])(" + "|".join(ARGUMENTS) + r")(?![\w'-])(?!\s*=[^=])")


def module_file(
    settings: dict, layout, wrapped: bool, compat: str, why: str = ""
) -> str:
    """`compat`: lib/compat.nix from the file; `why`: fleetc's comment on it."""
    comment = "".join(f"# {line}\n" for line in why.splitlines())
    call = f"import {compat} " if wrapped else ""
    head = arguments(used(settings))
    return layout_module(header(layout.source_name), comment, head, call, settings)


def layout_module(top: str, comment: str, head: str, call: str, settings) -> str:
    """The header, fleetc's comment, the function head (if any), the body.
    Python, not a template: jinja2's render was a sixth of emit at 10,000
    VMs (tests/core/test_emit_fast_paths.py holds the template it was)."""
    head = f"{head}\n" if head else ""
    return f"{top}\n{comment}{head}{call}{nix.render(settings)}\n"


def used(value: Any) -> set[str]:
    """The module arguments fleetc's own expressions in `value` read."""
    texts: list[str] = []
    _expressions(value, texts)
    return {name for text in texts for name in _USE.findall(text)}


def _expressions(value: Any, found: list[str]) -> None:
    """Adds the text of each nix.Expr in `value` to `found`; a call a value
    that can hold one, not a call a string (400,000 at 10,000 VMs)."""
    kind = type(value)
    if kind is nix.Expr:
        found.append(value.text)
        return
    if kind is nix.Commented:
        value = (value.value,)
    elif kind is dict:
        value = value.values()
    elif kind is not list and kind is not tuple:
        return
    for inner in value:
        if type(inner) in _HOLDING:
            _expressions(inner, found)


_HOLDING = {nix.Expr, nix.Commented, dict, list, tuple}


def arguments(names: set[str]) -> str:
    """The function head nixfmt writes: none, one name on its line, or one a line."""
    listed = [name for name in ARGUMENTS if name in names]
    if not listed:
        return ""
    if len(listed) == 1:
        return f"{{ {listed[0]}, ... }}:"
    inner = "".join(f"  {name},\n" for name in listed)
    return f"{{\n{inner}  ...\n}}:"
