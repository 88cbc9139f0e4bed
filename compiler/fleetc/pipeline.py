"""The pure core: source text in, generated files and diagnostics out.

`generate`, `diff`, `--check` and `build` all call `compile`; only the CLI
touches the disk. Passes run in the order listed in `compile`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from . import checks, emit, frontend
from .diagnostics import Diagnostic, has_errors, sort_key
from .model import Fleet
from .source import Source


@dataclass(frozen=True)
class Placement:
    """Where the fleet file and its output live; decided by the caller, not read here.

    `fleet_dir` and `repo_root` are absolute; `out` overrides `fleet.output`.
    """

    fleet_dir: PurePosixPath
    repo_root: PurePosixPath | None = None
    out: PurePosixPath | None = None

    def output_dir(self, fleet: Fleet) -> PurePosixPath:
        return self.out or self.fleet_dir / fleet.output


@dataclass(frozen=True)
class Layout:
    """What the emitter needs to know about placement, as relative paths."""

    source_name: str
    # From the output directory back to the fleet file's directory ("..").
    fleet_dir_from_output: str
    # The output directory inside its git repository; None at the root or outside git.
    output_in_repo: str | None


@dataclass(frozen=True)
class Result:
    fleet: Fleet | None
    diagnostics: list[Diagnostic]
    files: dict[str, str] = field(default_factory=dict)
    output_dir: PurePosixPath | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def compile(source: Source, placement: Placement, fmt: str | None = None) -> Result:
    fleet, diagnostics = frontend.load(source, fmt)
    if fleet is None:
        return Result(None, sorted(diagnostics, key=sort_key))
    diagnostics += checks.run(fleet) + checks.complete(fleet)
    diagnostics.sort(key=sort_key)
    if has_errors(diagnostics):
        return Result(fleet, diagnostics)
    output_dir = placement.output_dir(fleet)
    files = emit.emit(fleet, layout(source, placement, output_dir))
    return Result(fleet, diagnostics, files, output_dir)


def layout(source: Source, placement: Placement, output_dir: PurePosixPath) -> Layout:
    back = posixpath.relpath(placement.fleet_dir, output_dir)
    in_repo = None
    if placement.repo_root is not None:
        relative = posixpath.relpath(output_dir, placement.repo_root)
        inside = relative != "." and not relative.startswith("../")
        in_repo = relative if inside else None
    return Layout(PurePosixPath(source.name).name, back, in_repo)
