"""`fleetc build`: one `nix build` over every VM runner and host toplevel.

Nix sees a staged copy of the fleet, never the checkout itself: fleetc has just
written the generated tree, which git may not track yet (the flakes trap), and
the generated flake names user modules as `../modules/x.nix`, outside its own
directory. The copy is rooted at the flake's source, with a small flake at its
root that forwards to the generated one:

- in a git repository, the repository: its tracked files (`git ls-files`) and
  fleetc's generated files, nothing git ignores or does not track, nothing
  outside the repository;
- outside git, the fleet file's directory, as Nix's own `path:` flake would copy
  it (minus `.git`, `.venv`, `result` links and the like), never a directory
  above it: not `/tmp`, not `/`;
- in both, only files others could read where they are (a mode-600 key, a file
  in a mode-700 directory are left out and named, F050), since everything in
  the store is world-readable; links are never followed out of the copy (F051);
- the generated flake's flake.lock only as a regular file: a link there is
  refused before anything is staged (F052, flake_lock.py). Nix uses it as it
  is (`--no-update-lock-file`) and build never writes it; `fleetc lock` does.
- embedded (`embed = true`), no forwarding flake: Nix evaluates the
  repository's own root flake in the copy, with its own flake.lock.

If the output directory is outside that root, only the generated files are
staged; checks/module_files.py has refused file modules in that layout (F024)
and modules Nix could not see (F020..F023) before Nix runs. Details: staging.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..core.diagnostics import Diagnostic, render_text
from ..core.model import Fleet
from ..emit import nix
from ..emit.flake import inputs as flake_inputs
from . import flake_lock, nixfetch
from .staging import generated_on_disk, root_for, stage_tree

# Where the files left out of the copy are told (Report.show for the CLI).
Tell = Callable[[list[Diagnostic]], None]
NIX_FLAGS = ["--extra-experimental-features", "nix-command flakes"]
NO_NIX = (
    "fleetc: `nix` was not found. Install Nix (Debian: `apt-get install nix-bin`;"
    " elsewhere: https://nixos.org/download) and run fleetc build again."
)


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # "vm" or "host"

    @property
    def attribute(self) -> tuple[str, ...]:
        if self.kind == "vm":
            return ("config", "microvm", "declaredRunner")
        return ("config", "system", "build", "toplevel")


@dataclass(frozen=True)
class Outcome:
    target: Target
    result: str  # built | failed | skipped
    out_path: str = ""


def targets(fleet: Fleet, names: list[str]) -> tuple[list[Target], list[str]]:
    """The targets to build, and the names that are neither a VM nor a host."""
    every = [Target(vm.name, "vm") for vm in fleet.vms]
    every += [Target(host.name, "host") for host in fleet.hosts]
    every.sort(key=lambda t: t.name)
    if not names:
        return every, []
    known = {t.name for t in every}
    return [t for t in every if t.name in names], [n for n in names if n not in known]


def stage(
    fleet: Fleet,
    fleet_dir: Path,
    out_dir: Path,
    into: Path,
    files: dict[str, str] | None = None,
    tell: Tell | None = None,
) -> Path:
    """A copy of the fleet for Nix to read, with a forwarding flake (embedded:
    the repository's own root flake and its flake.lock, as copied); its path.

    `fleet_dir` is resolved; `files` is the generated tree (by default, what the
    manifest in `out_dir` names, as written there); `tell` is given the files
    left out (by default, printed). StagingRefused before anything is copied
    when the lock cannot be used."""
    lock = None if fleet.embed else flake_lock.read(out_dir)
    root = root_for(fleet, fleet_dir)
    files = generated_on_disk(out_dir) if files is None else files
    where, left_out = stage_tree(root, out_dir, files, into / "tree")
    (tell or print_left_out)(left_out)
    if fleet.embed:  # the repository's own flake and its flake.lock (F066, F067)
        return into / "tree"
    forward = "./tree" if where == "." else f"./tree/{where}"
    if lock is not None:
        (into / flake_lock.NAME).write_bytes(lock)
    (into / "flake.nix").write_text(wrapper(fleet, forward))
    return into


def print_left_out(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(render_text(diagnostic) + "\n", file=sys.stderr)


def wrapper(fleet: Fleet, forward: str) -> str:
    generated = nix.path(f"{forward}/outputs.nix").text
    return (
        "# Written by fleetc build: forwards to the generated outputs.\n"
        "{\n"
        f"  inputs = {nix.render(flake_inputs(fleet), 1)};\n"
        f"  outputs = inputs: import {generated} inputs;\n"
        "}\n"
    )


def eval_expression(chosen: list[Target], keep_going: bool = True) -> str:
    """An --apply function: name -> { drv; out; } for every target, or null for
    one whose evaluation throws (a module error), so the others still build."""
    entries = {}
    for target in chosen:
        path = "configurations." + nix.attr_path(target.name, *target.attribute)
        paths = f"{{ drv = {path}.drvPath; out = {path}.outPath; }}"
        if keep_going:
            paths = (
                f"if (builtins.tryEval {path}.drvPath).success then {paths} else null"
            )
        entries[target.name] = nix.Expr(paths)
    return "configurations: " + nix.render(entries)


# How many failed evaluations are evaluated again alone, to show nix's message.
SHOWN_FAILURES = 3


def evaluate(ref: str, chosen: list[Target], nix_args: list[str], keep_going: bool):
    """Paths of the targets (None if nix failed), and nix's stderr, which the
    user sees as it comes and fleetc reads for inputs it could not fetch."""
    command = ["nix", "eval", *NIX_FLAGS, "--json", ref]
    command += ["--apply", eval_expression(chosen, keep_going), *nix_args]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as running:
        echo, said = nixfetch.tee(running.stderr, sys.stderr)
        stdout = running.stdout.read()
        echo.join()
    ok = running.returncode == 0
    return (json.loads(stdout) if ok else None), "".join(said)


def say(text: str) -> None:
    """Progress and hints: stderr, as nix's own messages (stdout is the table)."""
    print(text, file=sys.stderr)


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def run_nix(
    flake: Path, chosen: list[Target], nix_args: list[str], fleet: Fleet
) -> list[Outcome]:
    ref = f"path:{flake}#nixosConfigurations"
    say(f"fleetc: evaluating {counted(len(chosen), 'configuration')}...")
    paths, stderr = evaluate(ref, chosen, nix_args, keep_going=True)
    if paths is None:  # an error tryEval cannot catch; nix has shown it
        say(nixfetch.hint(fleet, stderr) or "fleetc: nix could not evaluate the fleet")
        return [Outcome(t, "failed") for t in chosen]
    broken = [t for t in chosen if paths[t.name] is None]
    for target in broken[:SHOWN_FAILURES]:
        evaluate(ref, [target], nix_args, keep_going=False)
    drvs = [paths[t.name]["drv"] for t in chosen if t not in broken]
    if drvs:
        say(f"fleetc: building {counted(len(drvs), 'derivation')}...")
        command = ["nix", "build", *NIX_FLAGS, "--no-link", "--keep-going", *drvs]
        subprocess.run(command + nix_args)
    return [
        Outcome(t, "failed") if t in broken else outcome(t, paths[t.name]["out"])
        for t in chosen
    ]


def outcome(target: Target, out_path: str) -> Outcome:
    built = os.path.exists(out_path)
    return Outcome(target, "built" if built else "failed", out_path if built else "")


def build(
    fleet: Fleet,
    fleet_dir: Path,
    out_dir: Path,
    names: list[str],
    nix_args: list[str],
    files: dict[str, str] | None = None,
    tell: Tell | None = None,
) -> tuple[list[Outcome], list[str]]:
    """Outcomes for every target (skipped ones included) and the unknown names;
    `files` and `tell` as for `stage`."""
    chosen, unknown = targets(fleet, names)
    if unknown:
        return [], unknown
    if shutil.which("nix") is None:
        raise FileNotFoundError(NO_NIX)
    with tempfile.TemporaryDirectory(prefix="fleetc-build-") as scratch:
        flake = stage(fleet, fleet_dir, out_dir, Path(scratch), files, tell)
        flags = purity_flags(fleet) + lock_flags(flake)
        done = run_nix(flake, chosen, flags + nix_args, fleet)
    skipped = [Outcome(t, "skipped") for t in targets(fleet, [])[0] if t not in chosen]
    return sorted(done + skipped, key=lambda o: o.target.name), []


def purity_flags(fleet: Fleet) -> list[str]:
    """nix_path = "channel" reads <nixpkgs> from NIX_PATH (the FAQ's
    `builtins.storePath <nixpkgs>`), which pure flake evaluation forbids."""
    return ["--impure"] if fleet.nix_path == "channel" else []


def lock_flags(flake: Path) -> list[str]:
    """The inputs as flake.lock pins them, and the lock never written: with a
    lock, Nix may not change it (cli/pinned.py has said first what it lacks);
    without one (a warning, F060), the inputs float and nothing is written."""
    if (flake / flake_lock.NAME).exists():
        return ["--no-update-lock-file"]
    return ["--no-write-lock-file"]


def table(outcomes: list[Outcome]) -> str:
    rows = [("NAME", "KIND", "RESULT", "OUTPUT")]
    rows += [(o.target.name, o.target.kind, o.result, o.out_path) for o in outcomes]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)
