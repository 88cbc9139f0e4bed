"""Readable review: diffs without the manifest's hash churn, a comment on each
non-obvious generated line, and deploy scripts shellcheck can read alone."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.support.goldens import SAMPLES, run_fleetc

MANIFEST = ".fleetc-manifest.json"


@pytest.fixture()
def fleet(tmp_path):
    """The journald sample, generated, in a repository (TOML only: edited)."""
    root = tmp_path / "repo"
    skip = shutil.ignore_patterns("generated", "fleet.lock", "fleet.fleet")
    shutil.copytree(SAMPLES / "journald", root / "ops", ignore=skip)
    (root / ".git").mkdir()
    assert run_fleetc(root / "ops", "generate", "fleet.toml")[0] == 0
    return root / "ops"


def edit(fleet, old: str, new: str) -> None:
    toml = fleet / "fleet.toml"
    assert old in toml.read_text()
    toml.write_text(toml.read_text().replace(old, new, 1))


def test_an_edit_diffs_without_the_manifest(fleet):
    edit(fleet, "mem = 2048", "mem = 3072")
    code, diff, _ = run_fleetc(fleet, "diff", "fleet.toml")
    assert code == 0 and "+  microvm.mem = 3072;" in diff
    assert MANIFEST not in diff
    code, check, _ = run_fleetc(fleet, "generate", "fleet.toml", "--check")
    assert code == 1 and check == diff


def test_a_new_file_shows_the_manifest(fleet):
    vm = '\n[vms.extra]\nhost = "alpha"\ninterfaces = [{ network = "lan" }]\n'
    (fleet / "fleet.toml").write_text((fleet / "fleet.toml").read_text() + vm)
    _, diff, _ = run_fleetc(fleet, "diff", "fleet.toml")
    assert "+++ b/ops/generated/vms/extra.nix" in diff
    assert f"+++ b/ops/generated/{MANIFEST}" in diff
    assert '+    "vms/extra.nix": "' in diff


def test_a_stale_manifest_alone_still_fails_the_check(fleet):
    manifest = fleet / "generated" / MANIFEST
    data = json.loads(manifest.read_text())
    data["files"]["flake.nix"] = "0" * 64
    manifest.write_text(json.dumps(data, indent=2) + "\n")
    assert run_fleetc(fleet, "diff", "fleet.toml")[:2] == (0, "")
    code, stdout, stderr = run_fleetc(fleet, "generate", "fleet.toml", "--check")
    assert (code, stdout) == (1, "")
    assert f"generated/{MANIFEST} is stale" in stderr


COMMENTED = {
    "hosts/alpha.nix": [
        ("systemd.services = {", "install-microvm-<vm> runs until its `current`"),
        ("systemd.tmpfiles.rules = [", "into /var/log/journal under its machine-id"),
    ],
    "lib/every-vm.nix": [('tag = "ro-store";', "the host's /nix/store, read-only")],
}


def test_a_host_says_each_comment_once():
    """Not once per VM: above the attribute that holds them all."""
    for host in (SAMPLES / "journald" / "generated" / "hosts").glob("*.nix"):
        comments = [
            line.strip()
            for line in host.read_text().splitlines()[1:]
            if line.strip().startswith("#")
        ]
        assert len(comments) == len(set(comments)), host


@pytest.mark.parametrize("name", sorted(COMMENTED))
def test_non_obvious_lines_carry_a_comment_above_them(name):
    lines = (SAMPLES / "journald" / "generated" / name).read_text().splitlines()
    for code, why in COMMENTED[name]:
        at = [i for i, line in enumerate(lines) if line.strip().startswith(code)]
        assert at, code
        for i in at:  # the comment (one or two lines) right above every use
            above = " ".join(lines[max(0, i - 2) : i])
            assert "#" in lines[i - 1] and why in above, (code, above)


def test_deploy_scripts_start_with_a_shellcheck_directive():
    scripts = sorted((SAMPLES / "deploy" / "generated" / "deploy").glob("*.sh"))
    assert scripts
    for script in scripts:
        assert script.read_text().startswith("# shellcheck shell=bash\n")
        if shutil.which("shellcheck"):  # as written, without naming the shell
            done = subprocess.run(["shellcheck", str(script)], capture_output=True)
            assert done.returncode == 0, done.stdout
