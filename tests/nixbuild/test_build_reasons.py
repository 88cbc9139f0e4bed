"""`fleetc build` says why a target failed (issue 23.3): the build table's
REASON, in Nix's words, for an evaluation error and for a derivation that
failed to build, its own or one it needs. Real Nix, the stand-in inputs of
tests/nix (test_build.py says how)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.nixbuild import reasons

from tests.support.nixeval import flake_options, nix_env, overrides
from tests.support.paths import SAMPLES

OVERRIDES = flake_options(overrides("current"))


def fleetc(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=cwd,
        env=nix_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def rows(stdout: str) -> dict[str, str]:
    """NAME -> the whole row of the build table."""
    lines = stdout.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("NAME"))
    assert lines[start].split() == ["NAME", "KIND", "RESULT", "OUTPUT", "REASON"]
    return {line.split()[0]: line for line in lines[start + 1 :]}


@pytest.fixture()
def journald(tmp_path) -> Path:
    fleet = tmp_path / "fleet"
    shutil.copytree(
        SAMPLES / "journald",
        fleet,
        ignore=shutil.ignore_patterns("generated", "fleet.fleet"),
    )
    return fleet


def with_vm_module(fleet: Path, vm: str, module: str) -> None:
    (fleet / "modules" / "bad.nix").write_text(module)
    path = fleet / "fleet.toml"
    path.write_text(
        path.read_text().replace(
            f"[vms.{vm}]\n", f'[vms.{vm}]\nmodules = ["modules/bad.nix"]\n'
        )
    )


BROKEN_DEPENDENCY = """\
{ pkgs, ... }:
{
  standIn.buildInputs = [
    (derivation {
      name = "broken-dep";
      system = pkgs.system;
      builder = "/no/such/builder";
    })
  ];
}
"""


def test_a_derivation_that_fails_to_build_is_the_reason(journald):
    with_vm_module(journald, "metrics", BROKEN_DEPENDENCY)
    done = fleetc(journald, "build", "fleet.toml", "metrics", "--", *OVERRIDES)
    assert done.returncode == 3, done.stderr
    row = rows(done.stdout)["metrics"]
    assert " failed " in row
    assert "builder for broken-dep.drv failed with exit code 1" in row
    assert "failed with exit code 1: executing '/no/such/builder': No such" in row
    assert row.endswith("(needed by it)")
    assert "\x1b" not in row and "\x00" not in row


def test_an_evaluation_error_is_the_reason_in_the_table_and_json(journald):
    with_vm_module(
        journald, "metrics", '{ lib, ... }: { microvm.vcpu = lib.mkForce "two"; }\n'
    )
    done = fleetc(journald, "build", "fleet.toml", "--format", "json", "--", *OVERRIDES)
    assert done.returncode == 3
    targets = {t["name"]: t for t in json.loads(done.stdout)["fleets"][0]["targets"]}
    assert targets["metrics"]["result"] == "failed"
    assert "microvm.vcpu" in targets["metrics"]["reason"]
    assert "is not of type" in targets["metrics"]["reason"]
    assert targets["web"]["reason"] is None  # built
    text = fleetc(journald, "build", "fleet.toml", "--", *OVERRIDES)
    assert "is not of type" in rows(text.stdout)["metrics"]


def test_a_table_without_failures_has_no_reason_column(journald):
    done = fleetc(journald, "build", "fleet.toml", "web", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split() == ["NAME", "KIND", "RESULT", "OUTPUT"]


def test_nix_messages_read_as_one_line_each():
    """The shapes of Nix 2.8 and of later versions (a trace before the message,
    `dependencies ... failed`), colours and NULs of a builder's log removed."""
    drv = "/nix/store/804dz5cbjfhqq0a6zrcx6kfvrd0bn0bp-broken-dep.drv"
    top = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-top.drv"
    stderr = (
        f"building '{drv}'...\n"
        f"error: builder for '{drv}' failed with exit code 2;\n"
        "       last 3 log lines:\n"
        "       > compiling\n"
        "       > \x1b[31merror\x1b[0m: cannot find -lfoo\x00\n"
        "       > done\n"
        f"error: 1 dependencies of derivation '{top}' failed to build\n"
    )
    failures = reasons.build_failures(stderr)
    assert failures.builders == {
        drv: "builder for broken-dep.drv failed with exit code 2: error: cannot find -lfoo"
    }
    assert failures.needing == {
        top: "1 dependencies of derivation 'top.drv' failed to build"
    }
    traced = "error:\n       … while evaluating 'drvPath'\n       error: infinite recursion\n"
    assert reasons.first_error(traced) == "infinite recursion"
    assert reasons.first_error("warning: x\nerror: A definition is wrong\n") == (
        "A definition is wrong"
    )
