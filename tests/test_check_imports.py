"""What `fleetc check` imports (issue 11: pre-commit runs it on every commit,
and at samples/journald's size importing is most of its time). Speed itself is
measured by `make bench` (bench/table.py's journald row); this shows that what
check does not use stays unloaded."""

from __future__ import annotations

import shutil
import subprocess
import sys

from goldens import SAMPLES

# Loaded only when needed: lark to explain a .fleet syntax error; ctypes to
# sync a written tree; importlib.resources (with tempfile, zipfile) and secrets
# (with random, hmac) not at all: package data is read beside the modules, and
# entropy is os.urandom.
UNUSED_BY_CHECK = ("lark", "ctypes", "importlib.resources", "secrets", "random")


def modules_after_check(tmp_path) -> list[str]:
    """sys.modules after `fleetc check fleet.toml` of samples/journald (a
    .fleet twin beside it) in a git repository, as pre-commit runs it."""
    fleet = tmp_path / "journald"
    shutil.copytree(SAMPLES / "journald", fleet)
    subprocess.run(["git", "init", "-q", str(fleet)], check=True)
    probe = (
        "import sys, fleetc.cli\n"
        "code = fleetc.cli.main(['check', 'fleet.toml'])\n"
        "print(code, sorted(sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=fleet,
        capture_output=True,
        text=True,
        check=True,
    )
    code, modules = done.stdout.splitlines()[-1].split(" ", 1)
    assert code == "0", done.stderr
    return eval(modules)  # noqa: S307 - our own probe's printed list


def test_check_of_a_fleet_with_a_dsl_twin_does_not_import_lark(tmp_path):
    modules = modules_after_check(tmp_path)
    assert "fleetc.frontend.dsl" in modules  # the twin was read
    loaded = [m for m in modules if m.startswith(UNUSED_BY_CHECK)]
    assert loaded == []
