"""hosts/<host>.nix and vms/<vm>.nix as a reviewer expects a NixOS module: an
attribute set (its other modules in `imports`), a function only of the module
arguments it uses, and passed through lib/compat.nix (emit/compat.py) when it
writes an option older microvm.nix generations lack."""

from __future__ import annotations

import re
from typing import Any, Iterator

from . import nix
from .templating import render

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
    body = nix.render(settings)
    return render(
        "module.nix.j2",
        layout.source_name,
        comment="".join(f"# {line}\n" for line in why.splitlines()),
        arguments=arguments(used(settings)),
        call=f"import {compat}" if wrapped else "",
        body=body,
    )


def used(value: Any) -> set[str]:
    """The module arguments fleetc's own expressions in `value` read."""
    return {name for text in _expressions(value) for name in _USE.findall(text)}


def _expressions(value: Any) -> Iterator[str]:
    kind = type(value)
    if kind is nix.Expr:
        yield value.text
    elif kind is nix.Commented:
        yield from _expressions(value.value)
    elif kind is dict:
        for inner in value.values():
            yield from _expressions(inner)
    elif kind in (list, tuple):
        for inner in value:
            yield from _expressions(inner)


def arguments(names: set[str]) -> str:
    """The function head nixfmt writes: none, one name on its line, or one a line."""
    listed = [name for name in ARGUMENTS if name in names]
    if not listed:
        return ""
    if len(listed) == 1:
        return f"{{ {listed[0]}, ... }}:"
    inner = "".join(f"  {name},\n" for name in listed)
    return f"{{\n{inner}  ...\n}}:"
