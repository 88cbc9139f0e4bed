"""Issue 18's table, case by case: each on a copy of samples/basic with its
generated tree (as after one `generate`), in git, beside a sentinel
directory; every command audited (tests/support/hostile_audit.py), and
`problems` (what the audit saw go wrong) empty, besides the exit status and
the located diagnostic each case calls for.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import hostile
from tests.support.hostile_kit import HUGE, JOURNAL, MANIFEST, PENDING, sparse
from tests.support.hostile_repo import Site, track
from tests.support.hostile_site import (
    basic_site,
    delete_state,
    fleetc,
    located,
    retire,
    sha256,
)


@pytest.fixture()
def site(tmp_path: Path) -> Site:
    return basic_site(tmp_path)


# -- the table, case by case ---------------------------------------------------


def test_case_01_pending_list_outside(site):
    """A pending list naming a file outside: nothing removed, a located error."""
    secret = site.outside / "secret.txt"
    pending = {"temps": [str(secret)], "dirs": []}
    (site.out_dir / PENDING).write_text(json.dumps(pending))
    problems, run = fleetc(site, "generate", site.fleet, "--format", "json")
    assert problems == []
    assert secret.exists()
    assert run.exit == 1
    assert [d["code"] for d in located(run, PENDING)] == ["F047"]


def test_case_02_journal_outside(site):
    """A journal renaming a planted temp over a file outside, unlinking
    ../fleet.toml with its true hash, pruning outside: nothing touched."""
    secret = site.outside / "secret.txt"
    fleet = site.repo / site.fleet
    (site.out_dir / ".x.fleetc-new").write_text("planted\n")
    journal = {
        "renames": [[".x.fleetc-new", str(secret)]],
        "unlinks": [["../fleet.toml", sha256(fleet)]],
        "prune": [str(site.outside / "dir" / "deep")],
    }
    (site.out_dir / JOURNAL).write_text(json.dumps(journal))
    before = secret.read_bytes()
    problems, run = fleetc(site, "generate", site.fleet, "--format", "json")
    assert problems == []
    assert secret.read_bytes() == before and fleet.exists()
    assert (site.outside / "dir" / "deep").is_dir()
    assert run.exit == 1
    assert [d["code"] for d in located(run, JOURNAL)] == ["F047"]


@pytest.mark.parametrize(
    "name, code", [(JOURNAL, "F046"), (PENDING, "F046"), (MANIFEST, "F042")]
)
def test_case_03_deeply_nested_bookkeeping(site, name, code):
    """`[` x 100,000: a located error, no RecursionError."""
    (site.out_dir / name).write_text("[" * 100_000)
    problems, run = fleetc(site, "generate", site.fleet, "--format", "json")
    assert problems == []
    assert run.exit == 1
    assert [d["code"] for d in located(run, name)] == [code]


def test_case_04_retired_name_leaving_state_dir(site):
    """`[retired."../../etc".server1]`: refused where fleet.lock says it
    (F802); with `delete_state = ["../../etc"]` refused in the fleet file too
    (F101); never emitted into a script."""
    retire(site, '"../../etc"')
    tree = hostile.snapshot(site.out_dir, contents=True)
    for command in ("check", "generate", "plan"):
        problems, run = fleetc(site, command, site.fleet, "--format", "json")
        assert problems == []
        assert run.exit == 1, command
        assert [d["code"] for d in located(run, "fleet.lock")][0] == "F802"
    delete_state(site, '"../../etc"')
    for command in ("check", "generate", "plan"):
        problems, run = fleetc(site, command, site.fleet, "--format", "json")
        assert problems == []
        assert run.exit == 1, command
        assert "F101" in [d["code"] for d in located(run, "fleet.toml")]
    assert hostile.snapshot(site.out_dir, contents=True) == tree
    assert "../../etc" not in (site.out_dir / "hosts" / "server1.nix").read_text()


def test_case_05_retired_name_holding_nul(site):
    retire(site, '"\\u0000"')
    for command in ("check", "generate", "plan", "diff"):
        problems, run = fleetc(site, command, site.fleet, "--format", "json")
        assert problems == []
        assert run.exit == 1, command
        assert [d["code"] for d in located(run, "fleet.lock")][0] == "F802"


def test_case_06_twin_a_link_outside(site):
    """fleet.fleet a link to a secret outside: never read, never printed."""
    twin = site.repo / "fleet.fleet"
    twin.unlink()
    twin.symlink_to(site.outside / "secret.txt")
    for fmt in ("text", "json"):
        problems, run = fleetc(site, "check", site.fleet, "--format", fmt)
        assert problems == []  # the sentinel was not opened, nor printed
        assert run.exit == 2
        assert b"fleet.fleet" in run.stdout + run.stderr
    assert [d["code"] for d in located(run, "fleet.fleet")] == ["F010"]


@pytest.mark.parametrize(
    "kind, code",
    [("dev-zero", "F010"), ("fifo", "F011"), ("huge", "F012"), ("directory", "F011")],
)
def test_case_07_lock_not_a_regular_file(site, kind, code):
    """fleet.lock a link to /dev/zero, a FIFO, 4 GiB, a directory: refused
    with a located error, read within a bound, no MemoryError, no hang."""
    lock = site.lock()
    lock.unlink()
    if kind == "dev-zero":
        lock.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(lock)
    elif kind == "huge":
        sparse(lock, HUGE)
    else:
        lock.mkdir()
    for command in ("check", "generate", "plan"):
        problems, run = fleetc(site, command, site.fleet, "--format", "json")
        assert problems == []
        assert run.exit == 2
        assert [d["code"] for d in located(run, "fleet.lock")] == [code]


def test_case_08_linked_tree_after_a_remembered_run(site):
    """There is no result cache: after runs that found the tree up to date,
    generated/vms replaced by a link is seen (F040), not replayed."""
    for _ in range(2):
        problems, run = fleetc(site, "generate", site.fleet, "--check")
        assert problems == [] and run.exit == 0
    vms = site.out_dir / "vms"
    shutil.rmtree(vms)
    vms.symlink_to(site.outside / "vms")
    for command in (["generate", "--check"], ["diff"], ["generate"]):
        problems, run = fleetc(site, *command, site.fleet, "--format", "json")
        assert problems == []
        assert run.exit == 2, command
        assert "F040" in run.codes(), command


def test_case_09_a_planted_cache_changes_nothing(site):
    """Entries planted where a cache would be (~/.cache/fleetc, once 0777)
    are never opened: the run says what a run without them says (F002)."""
    fleet = site.repo / site.fleet
    fleet.write_text(fleet.read_text().replace("[fleet]\n", "[fleet]\ntypo = 1\n"))
    (site.repo / "fleet.fleet").unlink()
    clean = fleetc(site, "generate", site.fleet, "--check", "--format", "json")[1]
    cache = site.home / ".cache" / "fleetc"
    cache.mkdir(parents=True)
    entry = {"exit": 0, "stdout": "", "stderr": "up to date\n"}
    for index in range(4):
        (cache / f"{index:064x}").write_text(json.dumps(entry))
    (cache / "crafted").write_text("[" * 100_000)
    cache.chmod(0o777)
    problems, run = fleetc(site, "generate", site.fleet, "--check", "--format", "json")
    assert problems == []  # nothing below HOME opened
    assert run.exit == clean.exit == 1
    assert run.stdout == clean.stdout and "F002" in run.codes()


def test_case_10_committed_staging_leftover(site):
    """`.generated.fleetc-999999/` (holding a manifest), committed: not removed."""
    leftover = site.repo / ".generated.fleetc-999999"
    leftover.mkdir()
    shutil.copy(site.out_dir / MANIFEST, leftover / MANIFEST)
    (leftover / "flake.nix").write_text("# committed\n")
    track(site)
    for command, status in (("generate", 0), ("build", 3)):
        problems, run = fleetc(site, command, site.fleet)
        assert problems == []  # the repository outside the output unchanged
        assert run.exit == status  # (3: the stand-in nix evaluates nothing)
        assert (leftover / "flake.nix").exists()


def test_case_11_linked_flake_lock(site):
    """generated/flake.lock a link outside: refused for build, never given to
    Nix (the stand-in nix sees the staged copy) and never written through."""
    flake_lock = site.out_dir / "flake.lock"
    flake_lock.symlink_to(site.outside / "flake.lock")
    track(site)
    before = (site.outside / "flake.lock").read_bytes()
    problems, run = fleetc(site, "build", site.fleet, "--format", "json")
    assert problems == []  # no HOSTILE-STAGING-LEAK, sentinel unchanged
    assert (site.outside / "flake.lock").read_bytes() == before
    assert run.exit == 2
    assert [d["code"] for d in located(run, "flake.lock")] == ["F052"]


def test_case_12_tracked_file_in_a_private_directory(site):
    """A 0644 file in a 0700 directory: left out of the stage, and named."""
    private = site.repo / "private"
    private.mkdir()
    (private / "notes.txt").write_text(site.private_marker + "\n")
    private.chmod(0o700)
    track(site)
    problems, run = fleetc(site, "build", site.fleet, "--format", "json")
    assert problems == []  # the stand-in nix found no private content staged
    assert [d["code"] for d in located(run, "notes.txt")] == ["F050"]
    assert run.exit == 3  # the stand-in nix evaluates nothing


def test_case_13_tracked_directory_replaced_by_a_link(site):
    """A tracked directory, now a link to outside: its content is not staged."""
    (site.repo / "extra").mkdir()
    (site.repo / "extra" / "file.txt").write_text("tracked\n")
    track(site)
    shutil.rmtree(site.repo / "extra")
    (site.repo / "extra").symlink_to(site.outside / "dir")
    problems, run = fleetc(site, "build", site.fleet, "--format", "json")
    assert problems == []  # not opened; not staged (stand-in nix)
    assert [d["code"] for d in located(run, "file.txt")] == ["F051"]
    assert run.exit == 3


def test_case_14_two_fleets_one_output(site):
    """b.toml beside fleet.toml, both with the default output: generate b.toml
    must not replace fleet.toml's tree (F038 naming both and the key to set);
    check of b.toml says whose tree it is; fleet.toml's runs go on."""
    text = (site.repo / site.fleet).read_text()
    (site.repo / "b.toml").write_text(text.replace('name = "example"', 'name = "b"'))
    track(site)
    tree = hostile.snapshot(site.out_dir, contents=True)
    for command in ("generate", "check", "build"):
        problems, run = fleetc(site, command, "b.toml", "--format", "json")
        assert problems == []
        assert run.exit == 1, command
        (found,) = located(run, "b.toml")
        assert found["code"] == "F038"
        assert "fleet.toml" in found["message"] and "output" in json.dumps(found)
    assert hostile.snapshot(site.out_dir, contents=True) == tree
    problems, run = fleetc(site, "generate", site.fleet)
    assert problems == [] and run.exit == 0


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--format", "json"],
        ["generate", "--check", "--format", "json"],
        ["diff"],
        ["diff", "--format", "json"],
        ["plan"],
        ["plan", "--format", "json"],
        ["graph"],
        ["graph", "--format", "json"],
        ["convert", "--to", "fleet"],
    ],
)
def test_case_15_closed_pipe(site, command):
    """stdout's reader gone (`| true`): a quiet end, the status a shell expects."""
    fleet = site.repo / site.fleet
    fleet.write_text(fleet.read_text().replace("vcpu = 2", "vcpu = 3"))
    (site.repo / "fleet.fleet").unlink()  # a twin would stop diff before output
    problems, run = fleetc(site, command[0], site.fleet, *command[1:], closed=True)
    assert problems == []  # no traceback, no "Exception ignored"
    assert run.signal == signal.SIGPIPE or run.exit == 128 + signal.SIGPIPE


def test_case_15_closed_pipe_as_a_shell_sees_it(site):
    """The installed command, its stdout a pipe nobody reads."""
    reader, writer = os.pipe()
    os.close(reader)
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", "check", site.fleet, "--format", "json"],
        cwd=site.repo,
        stdout=writer,
        stderr=subprocess.PIPE,
        env=site.env(),
        check=False,
    )
    os.close(writer)
    assert b"Traceback" not in done.stderr
    assert b"Exception ignored" not in done.stderr
    assert done.returncode in (-signal.SIGPIPE, 128 + signal.SIGPIPE)
