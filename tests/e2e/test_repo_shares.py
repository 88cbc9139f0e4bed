"""Shares needed at boot and shares from the repository (issue 22.5).

`needed_for_boot` becomes `fileSystems.<mount>.neededForBoot`; `from_repo`
shares a directory of the repository read-only from its copy in the Nix
store, refused (located at the source) when Nix could not copy it or should
not: outside the repository, not a directory, git ignores something in it or
tracks nothing in it, or a file in it only its owner may read (the store is
world-readable). A real git repository, real modes and links; the tree is
evaluated against both microvm.nix generations."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import inputs, staged
from tests.support.goldens import run_fleetc

FLEET = """\
[fleet]
name = "repo"

[hosts.h]

[vms.web]
host = "h"
machine_id = "0123456789abcdef0123456789abcdef"

[[vms.web.shares]]
tag = "site"
source = "site/public"
mount = "/srv/www"
from_repo = true

[[vms.web.shares]]
tag = "etc"
source = "etc"
mount = "/etc/ssh"
needed_for_boot = true

[[vms.web.shares]]
tag = "lib"
source = "lib"
mount = "/var/lib"
needed_for_boot = true
"""
SOURCE_LINE = 12  # `source = "site/public"`, its value at column 10

REPORT = """configurations: let web = configurations.web.config; in {
  shares = map (s: {
    inherit (s) tag;
    readOnly = s.readOnly or null;
    store = builtins.substring 0 11 s.source;
    index = if s.tag == "site" then builtins.readFile "${s.source}/index.html" else null;
  }) web.microvm.shares;
  boot = builtins.mapAttrs (_: fs: fs.neededForBoot) web.fileSystems;
}"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def repository(root: Path, fleet: str = FLEET) -> Path:
    """A git repository with the fleet and a tracked site/public/index.html."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    (root / "fleet.toml").write_text(fleet)
    (root / "site" / "public").mkdir(parents=True)
    (root / "site" / "public" / "index.html").write_text("<h1>hello</h1>\n")
    git(root, "add", "fleet.toml", "site")
    return root


def codes(root: Path) -> list[tuple[str, int, int]]:
    code, stdout, _ = run_fleetc(root, "check", "fleet.toml", "--format", "json")
    import json

    found = json.loads(stdout)["diagnostics"]
    return [
        (d["code"], d["location"]["line"], d["location"]["column"])
        for d in found
        if d["code"].startswith("F51")
    ]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = repository(tmp_path_factory.mktemp("repo") / "repo")
    code, _, stderr = run_fleetc(root, "generate", "fleet.toml")
    assert code == 0, stderr
    git(root, "add", "generated", "fleet.lock")
    flake = staged(root, tmp_path_factory.mktemp("staged"))
    return {
        generation: nixeval.eval_flake(
            flake, "nixosConfigurations", inputs(generation), apply=REPORT
        )
        for generation in ("current", "legacy")
    }


def test_the_repository_directory_reaches_the_vm_through_the_store(evaluated):
    for generation, report in evaluated.items():
        [site] = [s for s in report["shares"] if s["tag"] == "site"]
        assert site["store"] == "/nix/store/"
        assert site["index"] == "<h1>hello</h1>\n"
        # read-only where microvm.nix can say so; the store is read-only anyway
        assert site["readOnly"] == (True if generation == "current" else None)


def test_shares_needed_in_stage_one(evaluated):
    for report in evaluated.values():
        assert report["boot"] == {"/etc/ssh": True, "/var/lib": True}


def test_a_clean_directory_passes(tmp_path: Path):
    assert codes(repository(tmp_path / "repo")) == []


def test_an_absolute_source_is_refused(tmp_path: Path):
    root = repository(tmp_path / "repo", FLEET.replace('"site/public"', '"/srv/site"'))
    assert codes(root) == [("F515", SOURCE_LINE, 10)]


def test_a_link_leading_out_is_refused(tmp_path: Path):
    root = repository(tmp_path / "repo")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", root / "site" / "out")
    root.joinpath("fleet.toml").write_text(FLEET.replace("site/public", "site/out"))
    assert codes(root) == [("F515", SOURCE_LINE, 10)]


def test_a_missing_directory_is_refused(tmp_path: Path):
    root = repository(tmp_path / "repo", FLEET.replace("site/public", "site/pubilc"))
    assert codes(root) == [("F516", SOURCE_LINE, 10)]


def test_something_git_ignores_inside_is_refused(tmp_path: Path):
    root = repository(tmp_path / "repo")
    (root / ".gitignore").write_text("*.key\n")
    (root / "site" / "public" / "tls.key").write_text("secret\n")
    assert codes(root) == [("F517", SOURCE_LINE, 10)]
    _, _, stderr = run_fleetc(root, "check", "fleet.toml")
    assert "holds `site/public/tls.key`, which git ignores" in stderr


def test_a_directory_git_tracks_nothing_in_is_refused(tmp_path: Path):
    root = repository(tmp_path / "repo")
    git(root, "rm", "-q", "--cached", "-r", "site")
    assert codes(root) == [("F517", SOURCE_LINE, 10)]


def test_a_file_only_its_owner_may_read_is_refused(tmp_path: Path):
    root = repository(tmp_path / "repo")
    private = root / "site" / "public" / "admin.htpasswd"
    private.write_text("admin:x\n")
    private.chmod(0o600)
    git(root, "add", "site")
    assert codes(root) == [("F518", SOURCE_LINE, 10)]
    _, _, stderr = run_fleetc(root, "check", "fleet.toml")
    assert f"holds or lies below `{private}`, which only its owner may" in stderr


def test_the_dsl_says_the_same(tmp_path: Path):
    root = repository(tmp_path / "repo")
    code, _, _ = run_fleetc(
        root, "convert", "fleet.toml", "--to", "fleet", "-o", "x.fleet"
    )
    text = (root / "x.fleet").read_text()
    assert "share site site/public -> /srv/www from-repo true" in text
    assert "needed-for-boot true" in text


def test_a_directory_above_it_others_may_not_enter_is_refused(tmp_path: Path):
    root = repository(tmp_path / "repo")
    (root / "site").chmod(0o700)
    assert codes(root) == [("F518", SOURCE_LINE, 10)]
    (root / "site").chmod(0o755)
