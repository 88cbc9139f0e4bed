"""nix_path = "channel": the FAQ's `nixpkgs=${builtins.storePath <nixpkgs>}`,
built by `fleetc build`, which must evaluate impurely for <nixpkgs> to be
looked up at all. The nixpkgs stand-in, added to the store, plays the
channel; the guest's nix.nixPath must name exactly that store path.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.nixbuild import build

from tests.support import nixeval
from tests.support.faq import compile_dir, generate
from tests.support.paths import SAMPLES


def fleetc_build(fleet: Path, env: dict) -> subprocess.CompletedProcess:
    overrides = nixeval.flake_options(nixeval.overrides("current"))
    return subprocess.run(
        [sys.executable, "-m", "fleetc", "build", "fleet.toml", "--", *overrides],
        cwd=fleet,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def nixpkgs_channel() -> str:
    """The nixpkgs stand-in as a channel is: a store path."""
    return nixeval.run(["nix-store", "--add", str(nixeval.NIXPKGS)]).strip()


@pytest.fixture()
def channel(tmp_path) -> Path:
    fleet = tmp_path / "fleet"
    ignore = shutil.ignore_patterns("generated")
    shutil.copytree(SAMPLES / "channel", fleet, ignore=ignore)
    return fleet


def test_build_looks_up_the_channel_and_the_guest_names_it(channel, nixpkgs_channel):
    store_path = nixpkgs_channel
    done = fleetc_build(
        channel, {**nixeval.nix_env(), "NIX_PATH": f"nixpkgs={store_path}"}
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()}
    assert rows["dev"][:2] == ["vm", "built"] and rows["box"][1] == "built"
    [runner] = nixeval.manifests([Path(rows["dev"][2])])
    [guest] = nixeval.manifests([Path(runner["toplevel"])])
    assert guest["nixPath"] == [f"nixpkgs={store_path}"]


def test_without_a_channel_the_build_fails_with_nixs_message(channel):
    done = fleetc_build(channel, nixeval.nix_env())
    assert done.returncode == 3
    assert "<nixpkgs>" in done.stderr


def test_the_build_module_itself_evaluates_impurely(
    channel, nixpkgs_channel, monkeypatch
):
    """Not only the CLI: build.build, given no flags, looks up <nixpkgs>."""
    for name, value in nixeval.nix_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NIX_PATH", f"nixpkgs={nixpkgs_channel}")
    generate(channel)
    fleet = compile_dir(channel).fleet
    overrides = nixeval.flake_options(nixeval.overrides("current"))
    outcomes, unknown = build.build(
        fleet, channel, channel / "generated", ["dev"], overrides
    )
    assert unknown == []
    assert [(o.target.name, o.result) for o in outcomes] == [
        ("box", "skipped"),
        ("dev", "built"),
    ]
