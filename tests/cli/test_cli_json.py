"""`--format json`: exactly one JSON document on stdout for every run.

fleetc runs as a real subprocess; `json.loads` on the whole of stdout proves it
holds one document and nothing else (a second document or a diff would be
"extra data"). Human text stays on stderr.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import CASES

FLEET = CASES / "minimal-allocated" / "fleet.toml"
BROKEN = CASES / "duplicate-ipv4" / "fleet.toml"


@pytest.fixture()
def repo(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copy(FLEET, tmp_path / "fleet.toml")
    return tmp_path


def fleetc(cwd: Path, *args: str) -> tuple[int, dict, str]:
    """(exit code, the document on stdout, stderr)."""
    command = [sys.executable, "-m", "fleetc", *args, "--format", "json"]
    done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=120)
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr, stderr
    document = json.loads(done.stdout.decode("utf-8"))
    assert document["exit"] == done.returncode
    assert {"version", "errors", "warnings", "diagnostics"} <= document.keys()
    return done.returncode, document, stderr


def test_check_of_a_good_fleet(repo):
    code, document, stderr = fleetc(repo, "check", "fleet.toml")
    assert (code, document["errors"], stderr) == (0, 0, "")
    # nothing pins the generated flake's inputs yet (no `fleetc lock`)
    [floating] = document["diagnostics"]
    assert (floating["code"], floating["severity"]) == ("F060", "warning")
    assert floating["location"] == {
        "file": "generated/flake.lock",
        "line": None,
        "column": None,
    }
    [entry] = document["fleets"]
    assert entry["file"] == "fleet.toml" and entry["exit"] == 0
    assert (entry["output"], entry["lock"]) == ("generated", "fleet.lock")
    assert entry["lock_changes"] == ["added a", "added b"]


def test_a_second_generate_says_the_tree_is_up_to_date(repo):
    fleetc(repo, "generate", "fleet.toml")
    code, document, stderr = fleetc(repo, "generate", "fleet.toml")
    assert code == 0 and "fleetc: generated/ is up to date (9 files)" in stderr
    assert document["fleets"][0]["changed"] == []


def test_generate_says_what_it_wrote_in_the_document(repo):
    code, document, stderr = fleetc(repo, "generate", "fleet.toml")
    assert code == 0 and "fleetc: wrote 9 of 9 files to generated/" in stderr
    [entry] = document["fleets"]
    assert entry["changed"] == [
        "flake.nix",
        "hosts/h1.nix",
        "lib/addresses.nix",
        "lib/compat.nix",
        "lib/every-vm.nix",
        "lib/roots.nix",
        "outputs.nix",
        "vms/a.nix",
        "vms/b.nix",
    ]
    assert entry["removed"] == []

    code, document, _ = fleetc(repo, "generate", "fleet.toml", "--check")
    assert code == 0 and document["fleets"][0]["stale"] is False


def test_a_write_refusal_is_one_document(repo):
    (repo / "generated").mkdir()
    (repo / "generated" / "flake.nix").write_text("# mine\n")
    code, document, _ = fleetc(repo, "generate", "fleet.toml")
    assert code == 2
    [refusal] = document["diagnostics"]
    assert (
        refusal["code"] == "F007" and "was not written by fleetc" in refusal["message"]
    )
    assert refusal["fleet"] == "fleet.toml"
    assert (repo / "generated" / "flake.nix").read_text() == "# mine\n"


def test_stale_tree_and_diff_carry_the_diff_in_the_document(repo):
    code, document, stderr = fleetc(repo, "generate", "fleet.toml", "--check")
    assert code == 1 and "is stale" in stderr
    [entry] = document["fleets"]
    assert entry["stale"] is True
    assert "+++ b/generated/vms/a.nix" in entry["diff"]
    code, document, _ = fleetc(repo, "diff", "fleet.toml")
    assert code == 0 and document["fleets"][0]["diff"] == entry["diff"]


def test_several_fleets_are_one_document(repo):
    (repo / "bad").mkdir()
    shutil.copy(BROKEN, repo / "bad" / "fleet.toml")
    args = ["check", "fleet.toml", "bad/fleet.toml", "missing.toml"]
    code, document, _ = fleetc(repo, *args)
    assert code == 2
    exits = [(entry["file"], entry["exit"]) for entry in document["fleets"]]
    assert exits == [("fleet.toml", 0), ("bad/fleet.toml", 1), ("missing.toml", 2)]
    found = [(d["fleet"], d["code"]) for d in document["diagnostics"]]
    assert found == [
        ("fleet.toml", "F060"),
        ("bad/fleet.toml", "F203"),
        ("missing.toml", "F030"),
    ]
    assert document["errors"] == 2


def test_locked_refusal_lists_the_lock_changes(repo):
    code, document, _ = fleetc(repo, "generate", "fleet.toml", "--locked")
    assert code == 1
    [refusal] = document["diagnostics"]
    assert refusal["code"] == "F805" and "fleet.lock would change" in refusal["message"]
    assert refusal["location"]["file"] == "fleet.lock"
    assert document["fleets"][0]["lock_changes"] == ["added a", "added b"]
    assert not (repo / "generated").exists()


def test_convert_to_stdout_puts_the_text_in_the_document(repo):
    code, document, _ = fleetc(repo, "convert", "fleet.toml", "--to", "fleet")
    assert code == 0
    plain = subprocess.run(
        [sys.executable, "-m", "fleetc", "convert", "fleet.toml", "--to", "fleet"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert document["fleets"][0]["converted"] == plain.stdout
    assert "host h1 {" in plain.stdout


def test_usage_errors_are_one_document(repo, tmp_path_factory):
    code, document, stderr = fleetc(repo, "check", "--nosuch")
    assert code == 2 and "unrecognized arguments: --nosuch" in stderr
    assert (document["command"], document["fleets"]) == (None, [])
    [problem] = document["diagnostics"]
    assert problem["code"] == "F037" and "unrecognized arguments" in problem["message"]

    nowhere = tmp_path_factory.mktemp("nowhere")  # outside any repository
    code, document, stderr = fleetc(nowhere, "check")  # no FLEET, none found
    assert code == 2 and "no FLEET given" in stderr
    [problem] = document["diagnostics"]
    assert problem["code"] == "F037" and "no FLEET given" in problem["message"]

    code, document, _ = fleetc(repo, "build", "fleet.toml", "nosuch")
    assert code == 2
    [usage] = [d for d in document["diagnostics"] if d["code"] == "F037"]
    assert usage["message"] == "no VM or host named nosuch"
