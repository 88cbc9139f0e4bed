"""The reference (docs/reference/) is what the code says now: every key of
the schema, every command and option of the parser, every code of
`fleetc explain`. A key, command or code added without `make docs` fails
here, and so does one taken out of a committed page."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from fleetc.cli import reference
from fleetc.cli.commands import REGISTRY
from fleetc.cli.reference_keys import sections
from fleetc.core.diagnostics import CODES
from fleetc.frontend.key_docs import DOCS
from fleetc.frontend.key_nix import PRODUCES
from tests.support.paths import ROOT

REFERENCE = ROOT / "docs" / "reference"


def run_generator(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "fleetc.cli.reference", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_the_committed_reference_is_what_make_docs_writes():
    done = run_generator(str(REFERENCE), "--check")
    assert done.returncode == 0, done.stderr + "\nrun `make docs` and commit"
    assert sorted(p.name for p in REFERENCE.iterdir()) == sorted(reference.pages())


def test_every_key_command_and_code_is_on_its_page():
    keys = (REFERENCE / "keys.md").read_text()
    for part in sections():
        for key in part.keys:
            assert f"| `{key.name}` |" in keys.split(f"## `{part.title}`")[1]
    commands = (REFERENCE / "commands.md").read_text()
    assert re.findall(r"^## fleetc (\S+)$", commands, re.M) == list(REGISTRY)
    codes = (REFERENCE / "codes.md").read_text()
    assert re.findall(r"^## (F\d{3}):", codes, re.M) == list(CODES)
    man = (REFERENCE / "fleetc.1").read_text()
    assert all(f"\\fB{code}\\fR" in man for code in CODES)


def test_every_key_says_what_it_produces_in_nix():
    declared = {part.title: {key.name for key in part.keys} for part in sections()}
    assert {title: set(keys) for title, keys in PRODUCES.items()} == declared
    assert set(DOCS) == set(declared)


def copy_of_reference(tmp_path):
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE, copy)
    return copy


@pytest.mark.parametrize(
    "page, entry",
    [
        ("keys.md", "| `mem` |"),
        ("commands.md", "## fleetc explain\n"),
        ("codes.md", "## F203: "),
        ("fleetc.1", "\\fBF920\\fR"),
    ],
)
def test_a_page_missing_one_entry_is_stale(tmp_path, page, entry):
    copy = copy_of_reference(tmp_path)
    text = (copy / page).read_text()
    start = text.index(entry)
    end = text.find("\n", start + len(entry)) + 1  # the entry's first line
    (copy / page).write_text(text[:start] + text[end:])
    done = run_generator(str(copy), "--check")
    assert done.returncode == 1
    assert f"{copy / page} is stale: run `make docs`" in done.stderr
    assert run_generator(str(copy)).returncode == 0  # make docs writes it back
    assert (copy / page).read_text() == text


def test_a_new_key_without_its_note_fails(monkeypatch):
    """What a builder adding a key meets: the produces note is required."""
    monkeypatch.setitem(PRODUCES, "[vms.<name>]", dict(PRODUCES["[vms.<name>]"]))
    del PRODUCES["[vms.<name>]"]["mem"]
    with pytest.raises(AssertionError):
        test_every_key_says_what_it_produces_in_nix()


def test_the_man_page_is_valid_roff():
    if shutil.which("groff") is None and shutil.which("mandoc") is None:
        pytest.skip("no groff or mandoc to read the man page")
    program = ["mandoc", "-T", "lint"] if shutil.which("mandoc") else None
    program = program or ["groff", "-man", "-Tutf8", "-ww", "-z"]
    done = subprocess.run(
        [*program, str(REFERENCE / "fleetc.1")], capture_output=True, text=True
    )
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
