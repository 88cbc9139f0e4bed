"""The pre-commit snippet names a revision that exists (issue 21.3): releases
are tags `v<version>` of pyproject's version, each with a CHANGELOG entry,
and the README and .pre-commit-hooks.yaml name that tag."""

from __future__ import annotations

import re

import tomli

import fleetc
from tests.support.paths import ROOT

VERSION = tomli.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_package_says_the_version_pyproject_does():
    assert fleetc.__version__ == VERSION


def test_readme_and_hooks_name_the_release_tag():
    for name in ("docs/guide/teams.md", ".pre-commit-hooks.yaml"):
        revs = re.findall(r"rev: (\S+)", (ROOT / name).read_text())
        assert revs == [f"v{VERSION}"], name


def test_the_changelog_has_the_release():
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[0] == VERSION
