"""The README's quick start, run as written: its fleet.toml is written to an
empty directory, each `$ ` command of its session is run there with the real
fleetc, and what the README shows (the output, the files written, the lock)
must be what came out; every .nix file written parses with Nix.

When the generated tree changes shape (a file more, another message), this
fails with what the README should now say: update the README's block."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.cli.commands import REGISTRY, command
from tests.support import nixeval
from tests.support.paths import ROOT

README = ROOT / "README.md"


def block(name: str, text: str | None = None) -> str:
    """The fenced block after `<!-- quickstart: NAME -->`."""
    text = README.read_text() if text is None else text
    found = re.search(
        rf"<!-- quickstart: {name} -->\n```[a-z]*\n(.*?)^```", text, re.M | re.S
    )
    assert found is not None, f"README has no quickstart block {name}"
    return found.group(1)


def session(text: str) -> list[tuple[str, str]]:
    """(command, the output shown under it), in order."""
    steps: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return [(cmd, "".join(f"{line}\n" for line in out)) for cmd, out in steps]


def run(cmd: str, cwd: Path) -> str:
    """One command as a user's shell runs it, fleetc the one installed here."""
    env = dict(os.environ, NO_COLOR="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "-c", cmd],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"$ {cmd}\n{done.stdout}"
    return done.stdout


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> tuple[Path, list[tuple[str, str, str]]]:
    """The quick start done: the directory, and (command, shown, real output)."""
    where = tmp_path_factory.mktemp("quickstart") / "lab"
    where.mkdir()
    (where / "fleet.toml").write_text(block("fleet.toml"))
    ran = [(cmd, shown, run(cmd, where)) for cmd, shown in session(block("session"))]
    return where, ran


def test_the_fleet_is_whole_and_short():
    fleet = block("fleet.toml")
    assert len(fleet.splitlines()) <= 30
    assert "[fleet]" in fleet and "[vms." in fleet and "[hosts." in fleet


def test_each_command_prints_what_the_readme_shows(lab):
    _, ran = lab
    assert [cmd for cmd, _, _ in ran] == ["fleetc check", "fleetc generate"]
    for cmd, shown, real in ran:
        assert (
            real == shown
        ), f"README shows for `$ {cmd}`:\n{shown}\nfleetc printed:\n{real}"


def test_the_files_shown_are_the_files_written(lab):
    where, _ = lab
    shown = {line.split()[0] for line in block("tree").splitlines() if line.strip()}
    written = {
        str(path.relative_to(where))
        for path in where.rglob("*")
        if path.is_file() and path.name != "fleet.toml"
    }
    assert (
        shown == written
    ), f"README lists {sorted(shown)}, fleetc wrote {sorted(written)}"


def test_the_lock_shown_is_part_of_the_lock_written(lab):
    where, _ = lab
    assert block("lock") in (where / "fleet.lock").read_text()


def test_every_nix_file_written_parses(lab):
    where, _ = lab
    files = sorted((where / "generated").rglob("*.nix"))
    assert files
    nixeval.parse(files)


def test_the_readme_is_short_and_lists_every_command():
    text = README.read_text()
    assert len(text.splitlines()) < 200
    for name in REGISTRY:
        module = command(name)
        if getattr(module, "HIDDEN", False):
            continue
        row = re.search(rf"^\| `fleetc {name}\b[^|]*` \| (.*) \|$", text, re.M)
        assert row is not None, f"README's command table has no row for {name}"
        assert module.SUMMARY in row.group(1), name


def test_install_is_one_command_and_the_tests_another():
    """A fresh machine: `make demo` installs fleetc and runs it on the bundled
    sample; `make test` is what CI runs."""
    text = README.read_text()
    for line in ("pipx install git+", "pip install .", "make demo", "make test"):
        assert line in text
    makefile = (ROOT / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "fleetc generate" in demo and "samples/basic" in demo
    assert "make test" in (ROOT / ".ci" / "run").read_text()
