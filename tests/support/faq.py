"""Helpers for the FAQ recipe tests (tests/test_faq_*.py): compile a fleet
with the real pipeline, write and parse its tree, and stage it as `fleetc
build` does so that Nix can evaluate it against the stand-ins."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from fleetc.nixbuild.build import stage
from fleetc.core.diagnostics import Diagnostic, render_text
from fleetc.core.pipeline import Result, compile
from fleetc.core.placement import Placement
from fleetc.core.source import Source

from tests.support import nixeval

SOPS_NIX = nixeval.NIX_DIR / "sops-nix"


def compile_dir(fleet_dir: Path) -> Result:
    """Compile <fleet_dir>/fleet.toml (with its fleet.lock, if any)."""
    text = (fleet_dir / "fleet.toml").read_text()
    lock_file = fleet_dir / "fleet.lock"
    lock = Source("fleet.lock", lock_file.read_text()) if lock_file.exists() else None
    placement = Placement(PurePosixPath(fleet_dir.as_posix()))
    result = compile(Source("fleet.toml", text), placement, lock=lock)
    assert result.ok, [render_text(d) for d in result.diagnostics]
    return result


def write_fleet(root: Path, text: str, modules: dict[str, str] | None = None) -> Path:
    """A fleet directory: fleet.toml and module files (name -> Nix text)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "fleet.toml").write_text(text)
    for name, source in (modules or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(source)
    return root


def generate(fleet_dir: Path) -> tuple[dict[str, str], list[Diagnostic]]:
    """Compile and write the tree to <fleet_dir>/generated; every .nix file
    of it parses (one nix-instantiate call)."""
    result = compile_dir(fleet_dir)
    out = fleet_dir / "generated"
    for name, text in result.files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    nixeval.parse(out / name for name in result.files if name.endswith(".nix"))
    return result.files, result.diagnostics


def staged(fleet_dir: Path, into: Path) -> Path:
    """The written tree of <fleet_dir> as a flake Nix can evaluate (module
    files outside generated/ included), staged as `fleetc build` stages it."""
    fleet = compile_dir(fleet_dir).fleet
    into.mkdir(parents=True, exist_ok=True)
    return stage(fleet, fleet_dir, fleet_dir / "generated", into)


def inputs(generation: str = "current", sops: bool = False) -> dict[str, Path]:
    found = nixeval.overrides(generation)
    return {**found, "sops-nix": SOPS_NIX} if sops else found
