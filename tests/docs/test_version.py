"""One version everywhere (issue 23.2): pyproject's, the package's,
`fleetc --version`, the CHANGELOG's newest entry, the man page, and every
pre-commit `rev:` the docs, the hooks file and `fleetc init` show."""

from __future__ import annotations

import re
import subprocess
import sys

import tomli

import fleetc
from fleetc.cli.starting import PRE_COMMIT
from tests.support.paths import ROOT

VERSION = tomli.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def documents() -> dict[str, str]:
    """README, docs/ and the hooks file, by path."""
    paths = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml"]
    paths += sorted((ROOT / "docs").rglob("*.md"))
    return {str(path.relative_to(ROOT)): path.read_text() for path in paths}


def test_the_command_says_pyprojects_version():
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"fleetc {VERSION}\n"
    assert fleetc.__version__ == VERSION


def test_the_changelogs_newest_entry_is_this_version():
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[0] == VERSION
    assert len(headings) == len(set(headings))


def test_every_rev_shown_is_this_release():
    revs = {name: re.findall(r"rev: (\S+)", text) for name, text in documents().items()}
    revs["fleetc init"] = re.findall(r"rev: (\S+)", PRE_COMMIT)
    shown = {name: found for name, found in revs.items() if found}
    assert shown and all(found == [f"v{VERSION}"] for found in shown.values()), shown
    assert f"`rev: v{VERSION}`" in (ROOT / "CHANGELOG.md").read_text()


def test_the_man_page_names_this_version():
    man = (ROOT / "docs" / "reference" / "fleetc.1").read_text()
    assert f'"fleetc {VERSION}"' in man.splitlines()[0]


def test_no_document_speaks_of_a_later_version():
    """ "since 0.4" in a 0.3 release's docs would be a promise, not a fact."""
    newest = tuple(int(part) for part in VERSION.split("."))
    for name, text in documents().items():
        for found in re.findall(
            r"\b(?:fleetc|since) (\d+\.\d+)(?:\.\d+)?\b(?!\.\d)", text
        ):
            assert tuple(int(p) for p in found.split(".")) <= newest[:2], (name, found)
