"""What fleetc reads from a repository is untrusted (issue 18, cases 4 to 7).

A pull request can commit any name into fleet.lock and any link in place of a
file fleetc reads. Names read back from the lock pass the fleet file's checks
(F802 at the name), so no retired VM's name reaches an `rm -rf`; the fleet
file, its twin and fleet.lock are read only when they are regular files inside
the repository (F010 a link leading out, F011 a directory, FIFO or device),
and never more than 64 MiB of them (F012). Each case runs the real command in a
real git repository, with real links, FIFOs and devices.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fleetc.emit.retired import script
from fleetc.frontend import load
from fleetc.lock.lockfile import Retired
from fleetc.cli.reading import READ_LIMIT
from fleetc.core.source import Source

from tests.support.paths import SAMPLES

SECRET = "SECRET-FIRST-LINE = 1\nsecond = 2\n"
READERS = [("check",), ("generate",), ("generate", "--check"), ("diff",)]
READERS += [("plan",), ("graph",)]
AS_LIMIT = 1 << 30  # 1 GiB of address space: an unbounded read of /dev/zero fails
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


@pytest.fixture()
def repo(tmp_path) -> Path:
    """samples/basic, tree and lock committed in a git repository at repo/ops;
    a secret beside the repository, outside it."""
    root = tmp_path / "repo"
    shutil.copytree(SAMPLES / "basic", root / "ops")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the fleet")
    (tmp_path / "secret.txt").write_text(SECRET)
    return root


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, env=GIT_ENV)


def fleetc(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command, in a process of its own with at most AS_LIMIT of
    memory; a read without end or a blocked open fails the test."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )


def as_json(done: subprocess.CompletedProcess) -> dict:
    return json.loads(done.stdout)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if ".git" not in p.parts and p.is_file() and not p.is_symlink()
    }


def edited_lock(ops: Path, extra: str) -> int:
    """fleet.lock with `extra` appended, marked as edited by hand (the checksum
    excuses nothing); the line number where `extra` starts."""
    lock = ops / "fleet.lock"
    body = lock.read_text().rsplit("# sha256:", 1)[0]
    lock.write_text(body + extra + "# sha256: edited\n")
    return body.count("\n") + 1


# -- part 3: names read back from fleet.lock -----------------------------------


def test_case_4_a_retired_name_leaving_state_dir_is_refused(repo):
    """The issue's case 4 as reported: a retired `../../etc` and delete_state
    naming it. Nothing is written, no `rm -rf` of it anywhere."""
    ops = repo / "ops"
    (ops / "fleet.fleet").unlink()
    edited_lock(ops, '\n[retired."../../etc".server1]\ntaps = []\n')
    fleet = (ops / "fleet.toml").read_text()
    (ops / "fleet.toml").write_text(
        fleet.replace("[fleet]\n", '[fleet]\ndelete_state = ["../../etc"]\n')
    )
    before = snapshot(repo)
    for command in READERS:
        done = fleetc(ops, *command, "fleet.toml")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "error[F101]: delete_state names `../../etc`" in done.stderr
        assert "--> fleet.toml:5:17" in done.stderr
    assert snapshot(repo) == before
    assert b"../../etc" not in b"".join(snapshot(ops / "generated").values())


def test_case_4_the_lock_alone_is_refused_at_the_name(repo):
    """Without delete_state the fleet is clean: the lock's name is the error,
    located at its key in fleet.lock, exit 1."""
    ops = repo / "ops"
    line = edited_lock(ops, '\n[retired."../../etc".server1]\ntaps = []\n') + 1
    before = snapshot(repo)
    for command in READERS:
        done = fleetc(ops, *command, "fleet.toml")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert (
            'error[F802]: `retired."../../etc"` in fleet.lock: "../../etc" is not'
            " a valid VM name"
        ) in done.stderr
        assert f"--> fleet.lock:{line}:10" in done.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    "planted, where",
    [
        ('[retired."-rf".server1]', "`retired.-rf`"),
        ('[retired.web."../h"]', '`retired.web."../h"`'),
        ('[vms."a/b"]\nhost = "server1"', '`vms."a/b"`'),
        ('[vms.x]\nhost = "/etc"', "`vms.x.host`"),
        ('[vms.x.interfaces."l an"]', '`vms.x.interfaces."l an"`'),
        ('[retired.x.server1]\nrenamed_to = ".."', "`retired.x.server1.renamed_to`"),
    ],
)
def test_every_name_in_the_lock_is_checked(repo, planted, where):
    """Keys and values alike: VM, host and network names, renamed_to."""
    ops = repo / "ops"
    edited_lock(ops, f"\n{planted}\n")
    done = fleetc(ops, "check", "fleet.toml", "--format", "json")
    assert done.returncode == 1, done.stderr
    [problem] = [d for d in as_json(done)["diagnostics"] if d["severity"] == "error"]
    assert problem["code"] == "F802" and problem["message"].startswith(where)
    assert problem["location"]["file"] == "fleet.lock"


def test_case_5_a_nul_in_a_retired_name(repo):
    """check said nothing and generate raised ValueError: now both refuse it
    at its place, the NUL shown as an escape and never printed."""
    ops = repo / "ops"
    line = edited_lock(ops, '\n[retired."web\\u0000x".server1]\n') + 1
    before = snapshot(repo)
    for command in READERS:
        done = fleetc(ops, *command, "fleet.toml")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert '`retired."web\\u0000x"` in fleet.lock' in done.stderr
        assert f"--> fleet.lock:{line}:10" in done.stderr
        assert "\0" not in done.stderr + done.stdout
    assert snapshot(repo) == before


@pytest.mark.parametrize("name", ["../../etc", "a/b", "-rf", "..", "a\0b", "web x"])
def test_the_emitter_never_deletes_outside_state_dir(name):
    """Second lock on the door: a record that reached the emitter with such a
    name (whatever let it through) gets a stop unit, but no `rm -rf`."""
    fleet, problems = load(
        Source("fleet.toml", (SAMPLES / "basic" / "fleet.toml").read_text()), None
    )
    assert fleet is not None and not [p for p in problems if p.is_error]
    fleet = replace(fleet, delete_state=(name, "gone"))
    lines = script(fleet, Retired(name, "server1", taps=()))
    assert not [line for line in lines if line.startswith("rm ")]
    kept = script(fleet, Retired("gone", "server1", taps=()))
    assert kept[-1] == "rm -rf --one-file-system -- /var/lib/microvms/gone"


# -- part 4: files fleetc reads ------------------------------------------------


def assert_refused(done, code: str, file: str, says: str) -> None:
    """Exit 2, one line naming the file, and nothing of the file's content."""
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == f"fleetc: cannot read {file}: {says}\n"
    assert "SECRET" not in done.stdout + done.stderr


def test_case_6_a_twin_linked_to_a_secret_outside_is_not_read(repo, tmp_path):
    ops = repo / "ops"
    (ops / "fleet.fleet").unlink()
    (ops / "fleet.fleet").symlink_to(tmp_path / "secret.txt")
    says = "it is reached through a symbolic link leading outside the repository"
    for command in READERS:
        done = fleetc(ops, *command, "fleet.toml")
        assert_refused(done, "F010", "fleet.fleet", says)
    done = fleetc(ops, "check", "fleet.toml", "--format", "json")
    [problem] = as_json(done)["diagnostics"]
    assert (problem["code"], problem["location"]) == (
        "F010",
        {"file": "fleet.fleet", "line": None, "column": None},
    )
    assert str(repo) in problem["help"] and "SECRET" not in done.stdout


def test_a_lock_or_fleet_file_linked_outside_is_not_read(repo, tmp_path):
    ops = repo / "ops"
    says = "it is reached through a symbolic link leading outside the repository"
    (ops / "fleet.lock").unlink()
    (ops / "fleet.lock").symlink_to(tmp_path / "secret.txt")
    assert_refused(fleetc(ops, "check", "fleet.toml"), "F010", "fleet.lock", says)
    (ops / "outside.toml").symlink_to(tmp_path / "secret.txt")
    for command in [("check",), ("convert", "--to", "fleet")]:
        done = fleetc(ops, *command, "outside.toml")
        assert_refused(done, "F010", "outside.toml", says)


def test_a_folder_linked_outside_leads_outside_too(repo, tmp_path):
    """`ops/` a committed link to a folder outside: CI names ops/fleet.toml,
    which is judged by where it really is."""
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(repo / "ops" / "fleet.toml", tmp_path / "elsewhere" / "fleet.toml")
    (repo / "linked").symlink_to(tmp_path / "elsewhere")
    done = fleetc(repo, "check", "linked/fleet.toml")
    says = "it is reached through a symbolic link leading outside the repository"
    assert_refused(done, "F010", "linked/fleet.toml", says)


def test_links_inside_the_repository_are_read(repo):
    """A fleet file named through a link into the repository, and a lock that
    is a link to a file inside it, are fine."""
    ops = repo / "ops"
    (repo / "fleet-link.toml").symlink_to("ops/fleet.toml")
    shutil.move(ops / "fleet.lock", repo / "pinned.lock")
    (ops / "fleet.lock").symlink_to("../pinned.lock")
    assert fleetc(ops, "check", "fleet.toml").returncode == 0
    done = fleetc(repo, "check", "fleet-link.toml")
    assert done.returncode == 0, done.stderr


def test_case_7_a_lock_linked_to_dev_zero_is_not_read(repo):
    """Reported: read without bound (MemoryError under a memory limit). Now
    never opened, within a 1 GiB address space and a timeout."""
    ops = repo / "ops"
    (ops / "fleet.lock").unlink()
    (ops / "fleet.lock").symlink_to("/dev/zero")
    says = "it is reached through a symbolic link leading outside the repository"
    for command in READERS:
        done = fleetc(ops, *command, "fleet.toml", timeout=30)
        assert_refused(done, "F010", "fleet.lock", says)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_named_on_the_command_line_is_not_read(tmp_path, device):
    """Outside git the repository is the file's folder (/dev): judged by kind."""
    done = fleetc(tmp_path, "check", device, timeout=30)
    assert_refused(done, "F011", device, "it is a character device, not a regular file")


def test_a_huge_lock_is_read_only_up_to_the_limit(repo):
    """A sparse 8 GiB fleet.lock: without the bound this fails to allocate
    (1 GiB address space); with it, F012 after 64 MiB."""
    lock = repo / "ops" / "fleet.lock"
    with open(lock, "r+b") as handle:
        handle.truncate(8 << 30)
    done = fleetc(repo / "ops", "check", "fleet.toml", timeout=60)
    assert_refused(done, "F012", "fleet.lock", "it is larger than 64 MiB")
    assert READ_LIMIT == 64 << 20


@pytest.mark.parametrize("planted", ["fleet.lock", "fleet.fleet", "fleet.toml"])
def test_a_fifo_does_not_block(repo, planted):
    """A FIFO where a file fleetc reads belongs: refused at once, no writer needed."""
    ops = repo / "ops"
    (ops / planted).unlink()
    os.mkfifo(ops / planted)
    done = fleetc(ops, "check", "fleet.toml", timeout=20)
    says = "it is a FIFO (named pipe), not a regular file"
    assert_refused(done, "F011", planted, says)


@pytest.mark.parametrize("planted", ["fleet.lock", "fleet.fleet"])
def test_a_directory_is_refused(repo, planted):
    ops = repo / "ops"
    (ops / planted).unlink()
    (ops / planted).mkdir()
    for command in READERS:
        done = fleetc(ops, *command, "fleet.toml")
        assert_refused(done, "F011", planted, "it is a directory, not a regular file")


def test_a_fifo_in_the_generated_tree_does_not_block_plan(repo):
    """plan reads generated files (the settings before); through writer.Tree,
    so a FIFO there is no file to read, and nothing waits on it."""
    ops = repo / "ops"
    (ops / "generated" / "vms" / "web.nix").unlink()
    os.mkfifo(ops / "generated" / "vms" / "web.nix")
    done = fleetc(ops, "plan", "fleet.toml", timeout=20)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
