"""lib/overlays.nix: the fleet's `overlays` as a NixOS module (nixpkgs.overlays)
that flake.nix adds to every host and VM.

An overlay is `inputs.<name>.<attr...>` or a file relative to the fleet file,
imported from lib/ (one directory below the output directory).
"""

from __future__ import annotations


from . import nix
from ..core.model import Fleet, ModuleRef
from .common import from_subdir, module
from .templating import render

PATH = "lib/overlays.nix"


def overlays_files(fleet: Fleet, layout) -> dict[str, str]:
    if not fleet.overlays:
        return {}
    back = from_subdir(layout.fleet_dir_from_output)
    found = [overlay(ref, back) for ref in fleet.overlays]
    settings = {("nixpkgs", "overlays"): found}
    return {PATH: render("overlays.nix.j2", layout.source_name, settings=settings)}


def overlay(ref: ModuleRef, back: str) -> nix.Expr:
    found = module(ref, back)
    return found if ref.is_input else nix.Expr(f"(import {found.text})")
