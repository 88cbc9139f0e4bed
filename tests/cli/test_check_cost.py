"""What `fleetc check` loads and runs (issue 11: pre-commit runs it on every
commit, and at samples/journald's size importing is most of its time). Speed
itself is measured by `make bench` (bench/table.py's 30-VM rows); these show
that what check does not use stays unloaded, and that git is asked once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from tests.support.paths import SAMPLES

# Loaded only when needed: lark to explain a .fleet syntax error; ctypes to
# sync a written tree; importlib.resources (with tempfile, zipfile) and secrets
# (with random, hmac) not at all: package data is read beside the modules, and
# entropy is os.urandom.
UNUSED_BY_CHECK = ("lark", "ctypes", "importlib.resources", "secrets", "random")


def journald(tmp_path):
    """samples/journald (a .fleet twin beside its fleet.toml) in a git
    repository, as pre-commit sees it."""
    fleet = tmp_path / "journald"
    shutil.copytree(SAMPLES / "journald", fleet)
    subprocess.run(["git", "init", "-q", str(fleet)], check=True)
    return fleet


def after_check(tmp_path) -> dict:
    """What the process holds after `fleetc check fleet.toml` of journald:
    its modules."""
    fleet = journald(tmp_path)
    probe = (
        "import json, sys, fleetc.cli.main\n"
        "code = fleetc.cli.main.main(['check', 'fleet.toml'])\n"
        "print(json.dumps({'exit': code, 'modules': sorted(sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=fleet,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["exit"] == 0, done.stderr
    return found


def test_check_of_a_fleet_with_a_dsl_twin_does_not_import_lark(tmp_path):
    modules = after_check(tmp_path)["modules"]
    assert "fleetc.frontend.dsl" in modules  # the twin was read
    loaded = [m for m in modules if m.startswith(UNUSED_BY_CHECK)]
    assert loaded == []


def test_check_of_a_fleet_and_its_twin_asks_git_once(tmp_path):
    """Both twins name the same module files: one `git ls-files` for both.
    A `git` first on PATH logs each call and runs the real one."""
    fleet = journald(tmp_path)
    logging_git = tmp_path / "bin" / "git"
    logging_git.parent.mkdir()
    real_git = shutil.which("git")
    log = tmp_path / "git.log"
    logging_git.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real_git} "$@"\n')
    logging_git.chmod(0o755)
    path = f"{logging_git.parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", "check", "fleet.toml"],
        cwd=fleet,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "F023" in done.stderr  # git was asked: modules/common.nix is untracked
    calls = log.read_text().splitlines()
    assert len([call for call in calls if "ls-files" in call]) == 1, calls


def test_check_reads_only_its_own_arguments(tmp_path):
    """A line that names its command builds that command's parser alone
    (the other parsers were a tenth of a 30-VM check): no other command's
    module is loaded. `--help` and a mistyped command still get them all."""
    modules = after_check(tmp_path)["modules"]
    commands = [m for m in modules if m.startswith("fleetc.cli.commands.")]
    assert commands == ["fleetc.cli.commands.check"]
