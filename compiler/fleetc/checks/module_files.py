"""Module files the generated flake imports: can a pure flake read them? (F020..F025)

A file module is written relative to the fleet file and rendered as a Nix path
relative to the output directory. Pure flake evaluation reads only files inside
the flake's source: in git that is the repository (and only its tracked files),
for `fleetc build` outside git the fleet's directory. What lies on disk is
looked up once, through `Placement.look_up`; this pass only reads those facts.
"""

from __future__ import annotations

import posixpath
from typing import Iterator

from ..core.diagnostics import Diagnostic, error, warning
from ..core.model import Fleet, ModuleRef, Node
from ..core.placement import DiskView, Placement
from .common import element_span
from .references import module_refs

FileRef = tuple[Node, str, int, ModuleRef]


def file_refs(fleet: Fleet) -> Iterator[FileRef]:
    """Every module reference that names a file (not `inputs.<name>...`)."""
    return (found for found in module_refs(fleet) if not found[3].is_input)


def is_absolute(text: str) -> bool:
    return text.startswith(("/", "~"))


def resolve(fleet_dir, text: str) -> str:
    """A module path as Nix will read it: from the fleet file's directory."""
    return posixpath.normpath(posixpath.join(str(fleet_dir), text))


def inside(path: str, root) -> bool:
    root = posixpath.normpath(str(root))
    return path == root or path.startswith(root.rstrip("/") + "/")


def file_paths(fleet: Fleet, fleet_dir) -> list[str]:
    """The paths the CLI must look up: every relative file module, resolved."""
    refs = file_refs(fleet)
    return [resolve(fleet_dir, r.text) for *_, r in refs if not is_absolute(r.text)]


def check_module_files(fleet: Fleet, placement: Placement) -> Iterator[Diagnostic]:
    refs = list(file_refs(fleet))
    disk = None
    if placement.look_up is not None:
        disk = placement.look_up(file_paths(fleet, placement.fleet_dir))
    for owner, field, index, ref in refs:
        problem = judge(ref, placement, disk)
        if problem is not None:
            code, message, help = problem
            severity = warning if code == "F023" and not placement.for_build else error
            span = element_span(owner, field, index, ref)
            yield severity(code, message, span, help=help)
    yield from check_output_reach(fleet, placement, refs)
    yield from check_update_flake(fleet, placement)


def judge(
    ref: ModuleRef, placement: Placement, disk: DiskView | None
) -> tuple[str, str, str] | None:
    """(code, message, help) for the first thing wrong with one file module."""
    if is_absolute(ref.text):
        return absolute(ref)
    path, root = resolve(placement.fleet_dir, ref.text), placement.flake_root
    if root is not None and not inside(path, root):
        return outside(ref, path, where(placement))
    if disk is not None and path not in disk.present:
        return missing(ref, path, placement)
    real = disk.real_path(path) if disk is not None else path
    if root is not None and not inside(real, root):
        return outside(ref, f"a link to {real}", where(placement))
    if disk is not None and disk.tracked is not None and path not in disk.tracked:
        return untracked(ref, path, placement)
    return None


def where(placement: Placement) -> str:
    if placement.repo_root is not None:
        return f"the repository `{placement.repo_root}`"
    return f"the fleet's directory `{placement.flake_root}`"


def absolute(ref: ModuleRef) -> tuple[str, str, str]:
    name = posixpath.basename(ref.text.rstrip("/")) or "module.nix"
    return (
        "F020",
        f"module path `{ref.text}` is absolute; a pure flake cannot read files"
        " outside its own source",
        f"copy the file next to the fleet and write it relative to the fleet file,"
        f" e.g. `modules/{name}`",
    )


def outside(ref: ModuleRef, path: str, root: str) -> tuple[str, str, str]:
    return (
        "F021",
        f"module `{ref.text}` ({path}) is outside {root}; a pure flake cannot read it",
        "move it inside, or publish it as a flake input ([fleet.inputs.<name>])"
        " and write `inputs.<name>.nixosModules.<module>`",
    )


def missing(ref: ModuleRef, path: str, placement: Placement) -> tuple[str, str, str]:
    return (
        "F022",
        f"module file `{ref.text}` does not exist ({path})",
        f"module paths are relative to the fleet file's directory"
        f" `{placement.fleet_dir}`; create the file or fix the path",
    )


def untracked(ref: ModuleRef, path: str, placement: Placement) -> tuple[str, str, str]:
    """An error for `fleetc build`, else a warning: `git init; fleetc generate;
    git add .` is a fine order, but the flake needs the `add` before Nix runs."""
    relative = posixpath.relpath(path, str(placement.repo_root))
    return (
        "F023",
        f"module `{ref.text}` is not tracked by git; a flake in a git repository"
        " sees only tracked files, so Nix cannot read it",
        f"run `git add {relative}` (staging it is enough)",
    )


def check_output_reach(
    fleet: Fleet, placement: Placement, refs: list[FileRef]
) -> Iterator[Diagnostic]:
    """The generated flake names its modules as `../...`: from an output directory
    outside the flake's source those paths leave the flake."""
    root, out = placement.flake_root, placement.output_dir(fleet)
    reachable = [r for r in refs if not is_absolute(r[3].text)]
    if root is None or not reachable or inside(posixpath.normpath(str(out)), root):
        return
    owner, field, index, ref = reachable[0]
    span = element_span(owner, field, index, ref)
    if placement.out is None:  # the fleet file's `output` chose it
        span = fleet.spans.get("output") or span
    yield error(
        "F024",
        f"the output directory `{out}` is outside {where(placement)}, so the"
        f" generated flake cannot import `{ref.text}`"
        + (f" and {len(reachable) - 1} more module files" if len(reachable) > 1 else "")
        + " (a pure flake reads only its own source)",
        span,
        help=f"generate below {root} (`--out` or `output = ...`), or publish the"
        " modules as a flake input ([fleet.inputs.<name>])",
    )


def check_update_flake(fleet: Fleet, placement: Placement) -> Iterator[Diagnostic]:
    """`updateFlake` gets `?dir=<output in repo>`; outside the repository there is
    no such directory, and `microvm -u` would fetch a flake without the VMs."""
    repo, out = placement.repo_root, placement.output_dir(fleet)
    if fleet.flake is None or repo is None or has_dir(fleet.flake) or fleet.embed:
        return
    if inside(posixpath.normpath(str(out)), repo):
        return
    yield warning(
        "F025",
        f"`updateFlake` will be `{fleet.flake}` without `dir=`: the output directory"
        f" `{out}` is outside the repository `{repo}`, so fleetc cannot tell where"
        " the generated flake sits in that flake",
        fleet.at("flake"),
        help="generate inside the repository, or write `?dir=<path of the generated"
        " flake>` into `flake` yourself",
    )


def has_dir(flake: str) -> bool:
    query = flake.partition("#")[0].partition("?")[2]
    return "dir" in {pair.partition("=")[0] for pair in query.split("&")}
