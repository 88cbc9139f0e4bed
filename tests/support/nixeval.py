"""Run Nix offline against the stand-ins in tests/nix (no network in tests or CI).

Every call goes through `run` with `nix_env()`: flakes enabled, no
substituters, no NIX_PATH. Flakes are always named `path:<dir>` so that
directories inside this git checkout are read as they are on disk, untracked
files included. Each call starts a Nix process (~0.1 s plus evaluation), so
tests should batch: several attributes per `build_flake`, one `--apply`
returning everything a test needs.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Iterable, Mapping

from tests.support.paths import NIX_DIR

NIXPKGS = NIX_DIR / "nixpkgs"
MICROVM = NIX_DIR / "microvm"
MICROVM_LEGACY = NIX_DIR / "microvm-legacy"
DEPLOY_RS = NIX_DIR / "deploy-rs"
COLMENA = NIX_DIR / "colmena"
INSPECT = (NIX_DIR / "inspect.nix").read_text()

# Let-bindings that read modules as NixOS would, as one attribute set:
# `merge` joins two (attribute sets recursively, lists in order) and `flat`
# undoes lib.mkMerge. Shared by the tests that evaluate generated modules
# without nixpkgs' module system.
MODULE_MERGE = """\
  merge = a: b:
    if builtins.isAttrs a && builtins.isAttrs b then
      a // builtins.mapAttrs (n: v: if a ? ${n} then merge a.${n} v else v) b
    else if builtins.isList a && builtins.isList b then a ++ b
    else b;
  flat = v: if (v._type or null) == "merge" then builtins.foldl' merge { } (map flat v.contents) else v;
"""

NIX_CONFIG = "\n".join(
    [
        "experimental-features = nix-command flakes",
        "substituters =",
        "warn-dirty = false",
    ]
)
TIMEOUT_SECONDS = 300


class NixError(Exception):
    """A Nix command failed; the message holds the command and its stderr."""

    def __init__(self, command: list[str], stderr: str) -> None:
        super().__init__(f"{' '.join(command)}\n{stderr}")
        self.stderr = stderr


def nix_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "NIX_PATH"}
    env["NIX_CONFIG"] = NIX_CONFIG
    return env


def run(command: list[str]) -> str:
    done = subprocess.run(
        command,
        env=nix_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    if done.returncode != 0:
        raise NixError(command, done.stderr)
    return done.stdout


def parse(paths: Iterable[Path | str]) -> None:
    """Raise NixError unless every file parses (one nix-instantiate call)."""
    files = [str(path) for path in paths]
    if files:
        run(["nix-instantiate", "--parse", *files])


def eval_json(expr: str) -> Any:
    return json.loads(
        run(["nix-instantiate", "--eval", "--strict", "--json", "--expr", expr])
    )


def eval_error(expr: str) -> str:
    """The error text of an expression that must fail to evaluate."""
    try:
        value = eval_json(expr)
    except NixError as failure:
        return failure.stderr
    raise AssertionError(f"expected an evaluation error, got {value!r}")


def lib_expr() -> str:
    """The nixpkgs stand-in's `lib`, with nixosSystem as its flake adds it."""
    return (
        f"(let lib = import {NIXPKGS}/lib; in "
        f"lib // {{ nixosSystem = import {NIXPKGS}/nixos {{ inherit lib; }}; }})"
    )


def modules_expr(modules: Iterable[str], select: str = "config") -> str:
    """`(lib.evalModules { modules = [ ... ]; }).<select>`; modules are Nix text."""
    listed = " ".join(f"({module})" for module in modules)
    return f"(({lib_expr()}).evalModules {{ modules = [ {listed} ]; }}).{select}"


def nixos_expr(modules: Iterable[str], select: str = "config") -> str:
    listed = " ".join(f"({module})" for module in modules)
    system = '{ system = "x86_64-linux"; modules = [ ' + listed + " ]; }"
    return f"(({lib_expr()}).nixosSystem {system}).{select}"


def overrides(generation: str = "current") -> dict[str, Path]:
    """--override-input values for a flake with inputs `nixpkgs` and `microvm`
    (microvm following nixpkgs); `generation` is "current" or "legacy"."""
    if generation == "current":
        return {"nixpkgs": NIXPKGS, "microvm": MICROVM}
    if generation == "legacy":
        return {
            "nixpkgs": NIXPKGS,
            "microvm": MICROVM_LEGACY,
            "microvm/current": MICROVM,
        }
    raise ValueError(f"unknown microvm stand-in generation {generation!r}")


def deploy_tools(flake_text: str) -> dict[str, Path]:
    """--override-input values for the deploy tool inputs a flake.nix declares
    (deploy-rs does not follow nixpkgs: its own input is the stand-in too)."""
    found: dict[str, Path] = {}
    if "deploy-rs" in flake_text:
        found |= {"deploy-rs": DEPLOY_RS, "deploy-rs/nixpkgs": NIXPKGS}
    if "colmena" in flake_text:
        found["colmena"] = COLMENA
    return found


def flake_options(inputs: Mapping[str, Path]) -> list[str]:
    options = ["--no-write-lock-file"]
    for name, directory in inputs.items():
        options += ["--override-input", name, f"path:{directory}"]
    return options


def eval_flake(
    flake_dir: Path,
    attr: str,
    inputs: Mapping[str, Path],
    apply: str | None = None,
    options: Iterable[str] = (),
) -> Any:
    """`nix eval --json path:<flake_dir>#<attr>`, optionally through `--apply`;
    `options` go to nix as they are (e.g. `--impure`)."""
    command = ["nix", "eval", "--json", *options, *flake_options(inputs)]
    if apply is not None:
        command += ["--apply", apply]
    return json.loads(run([*command, f"path:{flake_dir}#{attr}"]))


def build_flake(
    flake_dir: Path, attrs: Iterable[str], inputs: Mapping[str, Path]
) -> dict[str, Path]:
    """Build several attributes in one `nix build`; attribute -> output path.

    Nix 2.8 lists `--json` results in its own order, so each output path is
    evaluated first (cheap: ~0.2 s per attribute).
    """
    names = list(attrs)
    outs = {
        name: Path(eval_flake(flake_dir, f"{name}.outPath", inputs)) for name in names
    }
    installables = [f"path:{flake_dir}#{name}" for name in names]
    run(["nix", "build", "--no-link", *flake_options(inputs), *installables])
    return outs


def channel_options() -> list[str]:
    """For trees whose nix_path is "channel" (`builtins.storePath <nixpkgs>`):
    impure evaluation, with the nixpkgs stand-in as the channel (a store path)."""
    store_path = run(["nix-store", "--add", str(NIXPKGS)]).strip()
    return ["--impure", "-I", f"nixpkgs={store_path}"]


def manifests(outs: Iterable[Path]) -> list[Any]:
    """What stand-in toplevels and runners recorded (their manifest.nix), in
    one evaluation."""
    listed = " ".join(f"(import {out}/manifest.nix)" for out in outs)
    return eval_json(f"[ {listed} ]")
