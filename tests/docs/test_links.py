"""Every relative link of the README and docs/ leads to a file that exists,
and to a heading (or `<a id>`) of it when it names one: pages moved, so
links are checked rather than trusted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PAGES = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = page.read_text()
    text_outside_code = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    found = {slug(h) for h in re.findall(r"^#+ (.*)$", text_outside_code, re.M)}
    return found | set(re.findall(r'<a id="([^"]+)">', text))


def links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.M | re.S)
    return [url for url in LINK.findall(text) if "://" not in url]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_somewhere(page):
    for url in links(page):
        target, _, anchor = url.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{url}: no {path}"
        if anchor and path.suffix == ".md":
            assert anchor in anchors(
                path
            ), f"{url}: no heading #{anchor} in {path.name}"


def test_a_broken_link_is_found(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[there](#nowhere)\n")
    with pytest.raises(AssertionError):
        test_relative_links_lead_somewhere(page)
