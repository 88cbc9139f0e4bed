"""The command line's contract: exit codes, output formats, stale-tree checks, the lock."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.support.goldens import CASES, SAMPLES, run_fleetc
from tests.support.writer_layouts import fleet_toml


@pytest.fixture()
def fleet(tmp_path):
    """The journald sample without its tree, inside a git repository; only its
    TOML file: the tests edit it, and a stale twin would be an error (F035)."""
    root = tmp_path / "repo"
    shutil.copytree(
        SAMPLES / "journald",
        root / "ops",
        ignore=shutil.ignore_patterns("generated", "fleet.lock", "fleet.fleet"),
    )
    (root / ".git").mkdir()
    return root / "ops"


def dup_ipv4(tmp_path):
    shutil.copy(CASES / "duplicate-ipv4" / "fleet.toml", tmp_path / "fleet.toml")
    return tmp_path


def test_check_exit_codes(fleet, tmp_path):
    assert run_fleetc(fleet, "check", "fleet.toml")[0] == 0
    assert run_fleetc(dup_ipv4(tmp_path), "check", "fleet.toml")[0] == 1
    code, _, stderr = run_fleetc(fleet, "check", "missing.toml")
    assert code == 2 and "cannot read missing.toml" in stderr


def test_usage_error_is_exit_2(fleet):
    with pytest.raises(SystemExit) as raised:
        run_fleetc(fleet, "frobnicate", "fleet.toml")
    assert raised.value.code == 2


def test_json_format_is_one_document(tmp_path):
    code, stdout, stderr = run_fleetc(
        dup_ipv4(tmp_path), "check", "fleet.toml", "--format", "json"
    )
    document = json.loads(stdout)  # on stdout, for the program reading it
    assert code == 1 and stderr == ""
    assert (document["version"], document["errors"], document["warnings"]) == (1, 1, 0)
    assert (document["command"], document["exit"]) == ("check", 1)
    assert document["fleets"] == [
        {"file": "fleet.toml", "exit": 1, "errors": 1, "warnings": 0}
    ]
    [diagnostic] = document["diagnostics"]
    assert diagnostic["code"] == "F203"
    assert diagnostic["location"] == {"file": "fleet.toml", "line": 18, "column": 41}
    assert diagnostic["label"] == "also used by vm `web` (fleet.toml:14:41)"
    assert diagnostic["help"].startswith("leave ipv4 out")
    assert diagnostic["fleet"] == "fleet.toml"


def test_github_format_is_workflow_annotations(tmp_path):
    _, _, stderr = run_fleetc(
        dup_ipv4(tmp_path), "check", "fleet.toml", "--format", "github"
    )
    [line] = stderr.splitlines()
    assert line.startswith("::error file=fleet.toml,line=18,col=41,title=F203::")
    assert "duplicate IPv4 address 10.0.0.10" in line
    assert "%0Ahelp: leave ipv4 out" in line  # newlines escaped as GitHub requires


def test_generate_check_and_diff(fleet):
    code, stdout, _ = run_fleetc(fleet, "generate", "fleet.toml", "--check")
    assert code == 1
    assert "+++ b/ops/generated/flake.nix" in stdout  # named relative to the repository
    assert "+++ b/ops/fleet.lock" in stdout
    assert not (fleet / "generated").exists() and not (fleet / "fleet.lock").exists()

    assert run_fleetc(fleet, "generate", "fleet.toml")[0] == 0
    assert run_fleetc(fleet, "generate", "fleet.toml", "--check")[:2] == (0, "")
    assert run_fleetc(fleet, "diff", "fleet.toml")[:2] == (0, "")

    toml = fleet / "fleet.toml"
    toml.write_text(toml.read_text().replace("mem = 512", "mem = 768"))
    code, stdout, _ = run_fleetc(fleet, "diff", "fleet.toml")
    assert code == 0
    assert "--- a/ops/generated/vms/dns.nix" in stdout
    files = [line[6:] for line in stdout.splitlines() if line.startswith("+++ b/")]
    # The manifest's hashes are left out of the review (compare.py).
    assert files == ["ops/generated/vms/dns.nix"]
    dns = stdout.split("+++ b/ops/generated/vms/dns.nix")[1]
    changed = [line for line in dns.splitlines() if line.startswith(("+", "-"))]
    # 512 MiB is microvm.nix's default: not written before
    assert changed == ["+  microvm.mem = 768;"]
    assert run_fleetc(fleet, "generate", "fleet.toml", "--check")[0] == 1


def test_locked_fails_exactly_when_the_lock_would_change(fleet):
    code, _, stderr = run_fleetc(fleet, "generate", "fleet.toml", "--locked")
    assert code == 1 and "fleet.lock would change" in stderr and "added dns" in stderr
    assert not (fleet / "generated").exists() and not (fleet / "fleet.lock").exists()
    assert run_fleetc(fleet, "generate", "fleet.toml")[0] == 0
    lock = (fleet / "fleet.lock").read_text()
    assert run_fleetc(fleet, "generate", "fleet.toml", "--locked")[0] == 0

    toml = fleet / "fleet.toml"
    toml.write_text(toml.read_text().replace("mem = 512", "mem = 768"))
    assert (
        run_fleetc(fleet, "check", "fleet.toml", "--locked")[0] == 0
    )  # lock unaffected

    removed = toml.read_text().split("[vms.metrics]")[0]
    toml.write_text(removed)
    code, _, stderr = run_fleetc(fleet, "check", "fleet.toml", "--locked")
    assert code == 1 and "removed metrics (no longer in the fleet)" in stderr
    assert (fleet / "fleet.lock").read_text() == lock


def test_removing_a_vm_removes_its_lock_entry_and_says_so(fleet):
    assert run_fleetc(fleet, "generate", "fleet.toml")[0] == 0
    toml = fleet / "fleet.toml"
    toml.write_text(toml.read_text().split("[vms.metrics]")[0])
    code, _, stderr = run_fleetc(fleet, "generate", "fleet.toml")
    assert code == 0
    assert "fleet.lock: removed metrics (no longer in the fleet)" in stderr
    assert "removed ops/generated/vms/metrics.nix" in stderr
    assert "[vms.metrics]" not in (fleet / "fleet.lock").read_text()


def test_broken_lock_is_a_located_diagnostic(fleet):
    assert run_fleetc(fleet, "generate", "fleet.toml")[0] == 0
    lock = fleet / "fleet.lock"
    text = lock.read_text().replace('ipv4 = "192.168.10.20"', "ipv4 = 20")
    # Edited on purpose (the checksum line says so): its values are judged.
    lock.write_text(text[: text.rindex("# sha256: ")] + "# sha256: edited\n")
    code, _, stderr = run_fleetc(fleet, "check", "fleet.toml")
    assert code == 1
    assert "error[F802]" in stderr and "--> fleet.lock:" in stderr
    assert "Traceback" not in stderr


def test_fail_if_changed_is_a_formatter(fleet):
    assert run_fleetc(fleet, "generate", "fleet.toml", "--fail-if-changed")[0] == 1
    assert run_fleetc(fleet, "generate", "fleet.toml", "--fail-if-changed")[0] == 0


# fleetc.core.diagnostics: its dataclasses bring inspect (~10 ms of a 40 ms --version).
HEAVY = (
    "jinja2",
    "lark",
    "tomli",
    "fleetc.cli.compiled",
    "fleetc.core.pipeline",
    "fleetc.core.diagnostics",
    "typing",  # ~2 ms: annotations need only collections.abc
    "subprocess",  # ~2 ms: graph runs `dot`, nothing here runs a program
)


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["check", "--help"]])
def test_version_and_help_import_nothing_heavy(argv):
    """pre-commit and shells call these often: the compiler's imports (jinja2,
    lark, tomli, the passes) wait until a command runs. Speed itself is
    measured in `make bench`; this shows what is imported."""
    probe = (
        "import sys, fleetc.cli.main\n"
        "try:\n"
        f"    fleetc.cli.main.main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "[]"


def test_many_vms_added_are_one_line_and_every_name_stays_findable(tmp_path):
    """Up to LISTED VMs added (a small fleet's first generate) are a line each,
    as before; more are one line: a first generate at 10,000 VMs said
    "added vmN" 10,000 times. Every name is still in the JSON report and in
    fleet.lock; the tree's removals are summed up the same way."""
    from fleetc.cli.writing import LISTED

    (tmp_path / ".git").mkdir()
    toml = tmp_path / "fleet.toml"
    toml.write_text(fleet_toml(LISTED, "generated"))
    code, _, stderr = run_fleetc(tmp_path, "generate", "fleet.toml")
    assert code == 0 and stderr.count("fleetc: fleet.lock: added vm") == LISTED
    toml.write_text(fleet_toml(2 * LISTED + 1, "generated"))
    code, stdout, stderr = run_fleetc(tmp_path, "generate", "--format=json")
    added = [f"vm{v}" for v in range(LISTED, 2 * LISTED + 1)]
    assert f"fleetc: fleet.lock: added {LISTED + 1} VMs: vm20, vm21, vm22 and" in stderr
    assert stderr.count("added") == 1
    assert json.loads(stdout)["fleets"][0]["lock_changes"] == [
        f"added {name}" for name in sorted(added)
    ]
    lock = (tmp_path / "fleet.lock").read_text()
    assert all(f"[vms.{name}]" in lock for name in added)
    toml.write_text(fleet_toml(1, "generated"))
    code, _, stderr = run_fleetc(tmp_path, "generate", "fleet.toml")
    assert code == 0 and stderr.count("fleetc: fleet.lock: removed vm") == 2 * LISTED
    assert "fleetc: removed 44 files: generated/hosts/h1.nix, " in stderr
