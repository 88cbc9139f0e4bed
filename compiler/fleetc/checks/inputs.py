"""Flake inputs beyond `url`: non-flake inputs and nested follows (F026..F029).

`follows = { utils = "flake-utils" }` becomes
`inputs.<name>.inputs.utils.follows = "flake-utils"` in flake.nix. Nix resolves
the target as a path of input names from the top-level flake, so its first
part must be an input of the generated flake (`nixpkgs`, `microvm` or one of
[fleet.inputs]); "" is Nix's way of saying "no input at all".
"""

from __future__ import annotations

from typing import Iterator

from ..core import flake_inputs
from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, FlakeInput
from .common import suggestion
from .references import module_refs
from .index import index_of


def declared(fleet: Fleet) -> set[str]:
    return flake_inputs.names(fleet)


def check_follows_targets(fleet: Fleet) -> Iterator[Diagnostic]:
    names = declared(fleet)
    for flake_input in fleet.inputs:
        for name, target in flake_input.follows:
            first = target.partition("/")[0]
            if target and first not in names:
                yield _unknown_target(flake_input, name, target, names)


def _unknown_target(
    flake_input: FlakeInput, name: str, target: str, names: set[str]
) -> Diagnostic:
    first = target.partition("/")[0]
    message = (
        f"input `{flake_input.name}` follows `{target}` for `{name}`, but the"
        f" fleet has no input `{first}`"
    )
    help = suggestion(first, names) or (
        "follow one of " + ", ".join(sorted(names)) + ' (or `""` for none)'
    )
    span = flake_input.at(f"follows[{name}]")
    return error("F026", message, span, help=help)


def check_non_flake_follows(fleet: Fleet) -> Iterator[Diagnostic]:
    """A `flake = false` input is a source tree: it has no inputs to redirect."""
    for flake_input in fleet.inputs:
        if flake_input.flake:
            continue
        for field in ("follows_nixpkgs", "follows"):
            if getattr(flake_input, field):
                message = f"input `{flake_input.name}` is not a flake (`flake = false`)"
                message += " and has no inputs to follow"
                help = f"remove `{field}`, or `flake = false` if it is a flake"
                yield error("F027", message, flake_input.at(field), help=help)


def check_nixpkgs_followed_once(fleet: Fleet) -> Iterator[Diagnostic]:
    for flake_input in fleet.inputs:
        if flake_input.follows_nixpkgs and "nixpkgs" in dict(flake_input.follows):
            message = (
                f"input `{flake_input.name}` sets what its nixpkgs follows twice:"
                " `follows_nixpkgs` and `follows.nixpkgs`"
            )
            help = "keep one of them"
            yield error("F028", message, flake_input.at("follows_nixpkgs"), help=help)


def check_non_flake_uses(fleet: Fleet) -> Iterator[Diagnostic]:
    """`inputs.<name>.nixosModules.x` of a plain source tree has no such attribute."""
    plain = {i.name for i in fleet.inputs if not i.flake}
    for owner, field, _index, ref in index_of(fleet).once(module_refs):
        if ref.is_input and ref.input_name in plain:
            message = (
                f"`{ref.text}` reads an output of input `{ref.input_name}`, which"
                " is not a flake (`flake = false`): it is a source tree"
            )
            help = (
                'import a file of it from a module (`import (inputs.NAME + "/x.nix")`)'
            )
            yield error("F029", message, ref.span or owner.at(field), help=help)
