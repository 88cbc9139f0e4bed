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
# entropy is os.urandom; where twins differ only when they disagree.
UNUSED_BY_CHECK = (
    "lark",
    "ctypes",
    "importlib.resources",
    "secrets",
    "random",
    "fleetc.core.twin_differences",
)

# A fleet without a twin: check reads, checks and allocates; it neither emits
# nor compares a tree (jinja2, the emitters, the writer), merges a lock, builds,
# nor suggests a fix (difflib). Each loads where it is used.
UNUSED_BY_A_TOML_CHECK = (
    "jinja2",
    "lark",
    "difflib",
    "subprocess",  # no module files: git is not asked
    "socket",  # locked addresses are read by arithmetic
    "fleetc.emit",
    "fleetc.frontend.dsl",
    "fleetc.frontend.toml_errors",  # the file is valid TOML
    "fleetc.frontend.tomlscan",  # no diagnostic's span is read
    "fleetc.core.twin_differences",  # no twin, let alone one that disagrees
    "fleetc.core.ssh_target",  # no host names a `target`
    "fleetc.output.writer",
    "fleetc.output.compare",
    "fleetc.output.tree_merge",
    "fleetc.lock.merge",
    "fleetc.lock.merge_fleet",
    "fleetc.nixbuild.staging",
    "fleetc.nixbuild.build",
)


def journald(tmp_path):
    """samples/journald (a .fleet twin beside its fleet.toml) in a git
    repository, as pre-commit sees it."""
    fleet = tmp_path / "journald"
    shutil.copytree(SAMPLES / "journald", fleet)
    subprocess.run(["git", "init", "-q", str(fleet)], check=True)
    return fleet


SMALL_FLEET = """\
[fleet]
name = "small"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
bridge = "br0"

[hosts.h0]
uplink = "eno1"

[vms.web]
host = "h0"
interfaces = [{ network = "lan" }]
shares = [{ tag = "data", source = "/srv/web", mount = "/srv" }]
"""


def toml_only(tmp_path):
    """A fleet.toml alone (no twin, no module files) in a git repository."""
    fleet = tmp_path / "small"
    fleet.mkdir()
    (fleet / "fleet.toml").write_text(SMALL_FLEET)
    subprocess.run(["git", "init", "-q", str(fleet)], check=True)
    return fleet


# The modules loaded, and the dataclasses among them that have no docstring of
# their own (dataclasses then builds one from inspect.signature at import).
PROBE = """
import dataclasses, json, sys, fleetc.cli.main
code = fleetc.cli.main.main(sys.argv[1:])
undocumented = [
    f"{name}.{key}"
    for name, module in list(sys.modules.items()) if name.startswith("fleetc")
    for key, value in vars(module).items()
    if dataclasses.is_dataclass(value) and value.__module__ == name
    and (value.__doc__ or "").startswith(f"{key}(")
]
found = {'exit': code, 'modules': sorted(sys.modules), 'undocumented': undocumented}
print(json.dumps(found))
"""


def after_check(tmp_path, fleet=None, argv=("check", "fleet.toml")) -> dict:
    """What the process holds after `fleetc check fleet.toml` of journald (or
    of `fleet`; or after `argv`): its modules."""
    fleet = fleet or journald(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
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


def loaded(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    return [
        m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)
    ]


def test_a_toml_check_loads_only_what_it_uses(tmp_path):
    found = after_check(tmp_path, toml_only(tmp_path))
    assert "fleetc.core.pipeline" in found["modules"]  # it compiled
    assert loaded(found["modules"], UNUSED_BY_A_TOML_CHECK) == []


def test_the_loaded_dataclasses_have_docstrings(tmp_path):
    """A dataclass without a docstring gets one built from its signature at
    import: Fleet's 37 fields and Vm's 26 made that a few ms of every check."""
    assert after_check(tmp_path)["undocumented"] == []


# `generate --check` of a tree that is up to date (pre-commit on most commits):
# it emits and compares, and has no diff to show nor anything to write.
UNUSED_BY_AN_UP_TO_DATE_TREE = (
    "lark",
    "difflib",  # the diff of a stale tree
    "socket",
    "fleetc.frontend.dsl",
    "fleetc.frontend.tomlscan",
    "fleetc.core.ssh_target",  # no host names a `target`
    "fleetc.lock.merge",
    "fleetc.nixbuild.staging",
    "fleetc.nixbuild.build",
    "fleetc.cli.writing",  # the writer: nothing is written
    "fleetc.output.writer",
    "fleetc.output.exclusive",
    "fleetc.cli.staged_check",  # git's index: only for --staged
    "fleetc.output.staged",
)


def test_generate_check_of_an_up_to_date_tree_loads_only_what_it_uses(tmp_path):
    fleet = toml_only(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "fleetc", "generate", "fleet.toml"],
        cwd=fleet,
        capture_output=True,
        check=True,
    )
    found = after_check(tmp_path, fleet, ("generate", "--check", "fleet.toml"))
    assert "fleetc.output.compare" in found["modules"]  # it compared
    assert loaded(found["modules"], UNUSED_BY_AN_UP_TO_DATE_TREE) == []
