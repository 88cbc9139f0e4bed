"""What the generated tree costs Nix, with the stand-in flakes of tests/nix
(offline): its bytes per VM, and one host's evaluation through the flake.

The source is put in the store first (`nix store add-path --name source`),
and the flake is evaluated as `path:/nix/store/<hash>-source`: Nix 2.8 takes
a valid store path named "source" as it is, where a flake in a working
directory is copied and hashed on every evaluation. The stand-ins go in the
same way. Nix's evaluation cache is off (it would answer the second run from
the first). The trees' store paths are deleted afterwards.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from processes import ENV, Timing, output_of, timed

ROOT = Path(__file__).resolve().parent.parent
STAND_INS = {
    "nixpkgs": ROOT / "tests/nix/nixpkgs",
    "microvm": ROOT / "tests/nix/microvm",
}
FEATURES = ["--extra-experimental-features", "nix-command flakes"]
HOST = "h0"
ATTRIBUTE = f"nixosConfigurations.{HOST}.config.system.build.toplevel.drvPath"
NIX_ENV = {k: v for k, v in ENV.items() if k != "NIX_PATH"} | {
    "NIX_CONFIG": "substituters =\nwarn-dirty = false"
}


def tree_parts(tree: Path) -> dict[str, int]:
    """Bytes under each entry of the generated tree (what Nix copies)."""
    parts: dict[str, int] = {}
    for folder, _, files in os.walk(tree):
        for name in files:
            path = Path(folder, name)
            part = path.relative_to(tree).parts[0]
            parts[part] = parts.get(part, 0) + path.lstat().st_size
    return parts


def largest_file(tree: Path) -> Path:
    return max(tree.rglob("*.nix"), key=lambda path: path.lstat().st_size)


def parse_floor(tree: Path, runs: int) -> tuple[str, int, Timing]:
    """The largest .nix file of the tree, its size, and Nix parsing it alone."""
    found = largest_file(tree)
    argv = ["nix-instantiate", "--parse", str(found)]
    return str(found.relative_to(tree)), found.stat().st_size, timed(argv, tree, runs)


def to_store(directory: Path) -> str:
    argv = ["nix", *FEATURES, "store", "add-path", "--name", "source", str(directory)]
    return output_of(argv, directory, NIX_ENV).strip()


def forget(paths: list[str]) -> None:
    """Delete what this bench added (kept if something else holds it)."""
    argv = ["nix", *FEATURES, "store", "delete", *paths]
    subprocess.run(argv, env=NIX_ENV, capture_output=True, check=False)


class Evaluator:
    """One host's evaluation through generated flakes, stand-ins in the store."""

    def __init__(self) -> None:
        self.inputs = {name: to_store(path) for name, path in STAND_INS.items()}
        self.added: list[str] = []  # the trees (the stand-ins may be shared)

    def argv(self, source: str) -> list[str]:
        argv = ["nix", *FEATURES, "eval", "--raw", "--option", "eval-cache", "false"]
        argv.append("--no-write-lock-file")
        for name, path in self.inputs.items():
            argv += ["--override-input", name, f"path:{path}"]
        return argv + [f"path:{source}#{ATTRIBUTE}"]

    def host_eval(self, tree: Path, runs: int) -> Timing:
        source = to_store(tree)
        self.added.append(source)
        return timed(self.argv(source), tree, runs, env=NIX_ENV)

    def close(self) -> None:
        forget(self.added)
