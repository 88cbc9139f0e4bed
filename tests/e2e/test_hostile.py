"""The hostile-repository test (tests/support/hostile.py, issue 18): a short
random run in every `make test` (`make fuzz` runs 10,000 repositories), the
control without plants, the audit's own tests (it must be able to fail), and
what the long run found. The issue's table, case by case, is
test_hostile_cases.py. `problems` is what the audit saw go wrong: a write,
rename or removal outside the output and fleet.lock, a read outside the
repository, the sentinel or the repository outside the output changed, the
sentinel's content printed, a traceback, a hang, an exit status outside 0..3.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.support import hostile
from tests.support import hostile_audit as audit
from tests.support import hostile_judge as judging
from tests.support.hostile_kit import HUGE, JOURNAL, MANIFEST, PENDING, sparse
from tests.support.hostile_repo import Site, make_site
from tests.support.hostile_site import basic_site, delete_state, fleetc, retire

# 40 repositories, every command on each: about 6 s on an idle core.
SHORT_RUN = 40


@pytest.fixture(scope="module")
def made():
    """Every kind of repository the run makes, settled once for these tests."""
    root = Path(tempfile.mkdtemp(prefix="fleetc-hostile-", dir=hostile.scratch()))
    yield hostile.settled(root)
    hostile.remove(root)


@pytest.fixture()
def scratch():
    where = Path(tempfile.mkdtemp(prefix="fleetc-hostile-", dir=hostile.scratch()))
    yield where
    hostile.remove(where)


@pytest.fixture()
def site(tmp_path: Path) -> Site:
    return basic_site(tmp_path)


# -- the random run, and the audit itself --------------------------------------------


def test_short_hostile_run_finds_nothing(made):
    failures, times = hostile.hostile(range(SHORT_RUN), made=made)
    said = [f.summary() + "\n    " + "; ".join(f.plants) for f in failures]
    assert failures == [], "\n".join(said[:20])
    assert len(times) == SHORT_RUN


def test_the_run_plants_every_kind_of_attack(made, scratch):
    """Each plant of hostile_plants.py is drawn within the short run's seeds."""
    from tests.support.hostile_plants import PLANTS

    drawn = set()
    for seed in range(SHORT_RUN):
        site, _ = hostile.new_site(seed, scratch / str(seed), made)
        drawn |= set(site.planted_by)
        hostile.remove(scratch / str(seed))
    assert drawn == set(PLANTS.values())


def test_without_plants_every_command_succeeds_unflagged(made, scratch):
    """The control: on each kind of repository as it comes (the sample after
    one generate), every command exits as it should (`expected`) and the
    audit sees nothing wrong."""
    for number, (kind, repo) in enumerate(sorted(made.items())):
        site = make_site(scratch / str(number), *kind[:3], number, repo)
        site.in_git = kind[3]
        for argv in hostile.every_command(site, site.fleet, random.Random(number)):
            argv = [arg for arg in argv if arg not in ("--locked", "--force")]
            problems, run = fleetc(site, *argv)
            assert problems == [], (kind, argv)
            assert run.exit == expected(argv[0], site.in_git), (kind, argv)


def expected(command: str, in_git: bool) -> int:
    """The exit status on a repository as it comes: build's stand-in nix
    builds nothing (3); setup-git needs git (2)."""
    if command == "build":
        return 3
    return 2 if command == "setup-git" and not in_git else 0


def audited(site: Site, action, read_only=False, timeout=5.0) -> audit.Run:
    """`action` (instead of fleetc) run in the audited child."""
    bounds = hostile.bounds(site, ["generate", site.fleet])
    if read_only:
        bounds = audit.Bounds(bounds.repo, bounds.writable_dirs, (), True)
    command = audit.Command(("x",), str(site.repo), site.env(), bounds)
    return audit.run(command, site.base / "logs", timeout, entry=action)


def test_audit_refuses_and_records_a_write_outside(site):
    secret = site.outside / "secret.txt"
    before = secret.read_bytes()
    run = audited(site, lambda: secret.write_text("changed"))
    assert [(e["kind"], e["resolved"]) for e in run.violations] == [
        ("write", str(secret))
    ]
    assert secret.read_bytes() == before
    assert b"PermissionError" in run.stderr


def test_audit_sees_through_links_and_dir_fds(site):
    """A read through a link inside the repository, and a removal relative to
    a directory descriptor (as shutil.rmtree does), resolve to where they land."""
    (site.repo / "peek").symlink_to(site.outside / "secret.txt")
    run = audited(site, lambda: (site.repo / "peek").read_bytes() and None)
    assert [e["resolved"] for e in run.violations] == [str(site.outside / "secret.txt")]
    shutil.copytree(site.outside / "dir", site.repo / "copy")

    def unlink_at():
        directory = os.open(site.repo / "copy" / "deep", os.O_RDONLY)
        os.unlink("file.txt", dir_fd=directory)

    run = audited(site, unlink_at)
    removed = [e["resolved"] for e in run.violations if e["kind"] == "remove"]
    assert removed == [str(site.repo / "copy" / "deep" / "file.txt")]
    assert (site.repo / "copy" / "deep" / "file.txt").exists()


def test_audit_read_only_commands_write_nothing(site):
    run = audited(site, lambda: (site.out_dir / "x").write_text("x"), read_only=True)
    assert [e["kind"] for e in run.violations] == ["write"]


def test_audit_reports_tracebacks_hangs_and_programs(site):
    def hang():
        os.mkfifo(site.tmp / "fifo")
        open(site.tmp / "fifo").read()

    assert "a traceback" in " ".join(judging.judge(site, audited(site, lambda: 1 / 0)))
    ended = judging.ended_badly(audited(site, hang, timeout=1))
    assert ended[0].startswith("still running")
    run = audited(site, lambda: subprocess.run(["rm", "-rf", str(site.outside)]))
    assert [e["path"] for e in run.violations] == ["rm"]
    assert (site.outside / "secret.txt").exists()


def test_audit_sees_a_closed_pipe_the_interpreter_would_meet(site):
    """Output left in stdout's buffer fails at the interpreter's last flush."""

    def prints():
        print("x")
        return 0

    bounds = hostile.bounds(site, ["check", site.fleet])
    command = audit.Command(("x",), str(site.repo), site.env(), bounds, True)
    run = audit.run(command, site.base / "logs", timeout=5, entry=prints)
    assert judging.ended_badly(run) == ["exit status 120"]
    assert "a traceback" in " ".join(judging.judge(site, run))


def test_removals_of_the_tree_are_judged(site):
    """A retired VM's `rm -rf` directly under state_dir passes; one that
    leaves it (as a tree edited after the fact would hold) is reported."""
    retire(site, '"old"')
    delete_state(site, '"old"')
    problems, run = fleetc(site, "generate", site.fleet)
    assert problems == [] and run.exit == 0
    host = site.out_dir / "hosts" / "server1.nix"
    assert judging.RM_RF.findall(host.read_text()) == ["/var/lib/microvms/old"]
    escaping = host.read_text().replace("/microvms/old", "/microvms/../../etc")
    host.write_text(escaping)
    assert judging.removals_escaping(site) == [
        "rm -rf of '/var/lib/microvms/../../etc'"
    ]


# -- what the random run found ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["outside", "fifo"])
def test_found_lock_reads_flake_nix_through_a_link(site, kind):
    """Seed 25: `fleetc lock` and `update` compared generated/flake.nix with
    the fleet's by reading it as it stood: through a link to a file outside
    the repository (a FIFO there would block). Now read as the writer reads."""
    flake = site.out_dir / "flake.nix"
    flake.unlink()
    if kind == "fifo":
        os.mkfifo(flake)
    else:
        flake.symlink_to(site.outside / "secret.nix")
    for command in ("lock", "update"):
        problems, run = fleetc(site, command, site.fleet)
        assert problems == []  # nothing outside opened, no hang
        assert run.exit == 0, command  # the stand-in nix pins the inputs
        assert b"not the fleet's flake.nix yet" in run.stderr


@pytest.mark.parametrize("name", [JOURNAL, PENDING, MANIFEST])
def test_found_bookkeeping_file_a_directory(site, name):
    """Seeds 509, 532, 1516 of `make fuzz`: a directory where the journal or
    pending list belongs made the reader's error name a descriptor, and the
    report of it a TypeError traceback. A located refusal, nothing touched."""
    (site.out_dir / name).unlink(missing_ok=True)
    (site.out_dir / name).mkdir()
    for command in ("generate", "build", "diff"):
        problems, run = fleetc(site, command, site.fleet, "--format", "json")
        assert problems == []
        if command != "diff":  # diff shows what generate would do (exit 0)
            assert run.exit in (1, 2), command
            assert name in json.dumps(run.json()["diagnostics"]), command


@pytest.mark.parametrize("name", [JOURNAL, PENDING, MANIFEST])
def test_found_huge_bookkeeping_file_shown_whole(site, name):
    """Seeds 15 and 36 of `make fuzz`: a pending list of 4 GiB (sparse: NUL
    bytes) was refused with its first line shown, the whole bounded read of
    it, each NUL escaped for the terminal: a MemoryError under 1 GiB (and
    hundreds of MiB on stderr without a limit). Refused, and said briefly."""
    sparse(site.out_dir / name, HUGE)
    for command in ("generate", "build"):
        problems, run = fleetc(site, command, site.fleet)
        assert problems == []
        assert run.exit in (1, 2), command
        assert name.encode() in run.stderr and len(run.stderr) < 64 * 1024
