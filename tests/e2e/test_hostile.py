"""Issue 18: everything in a repository is untrusted, fleetc's own files included.

A short run of the hostile-repository test (tests/support/hostile.py; `make fuzz`
runs 10,000 repositories), the audit's own checks (it must be able to fail),
and one named test per case of the issue's table, each on a copy of
samples/basic with its generated tree (as after one `generate`), in git,
beside a sentinel directory. Every command runs audited (hostile_audit.py);
`problems` is what the audit saw go wrong: a write, rename or removal outside
the output and fleet.lock, a read outside the repository, the sentinel or
the repository outside the output changed, the sentinel's content printed, a
traceback, a hang, an exit status outside 0..3.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support import hostile
from tests.support import hostile_audit as audit
from tests.support.hostile_plants import HUGE, JOURNAL, MANIFEST, PENDING, sparse
from tests.support.hostile_repo import Site, make_site, track

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
    """samples/basic with its tree and lock, in git; the sentinel beside it."""
    made = make_site(tmp_path, "basic", "fleet.toml", True, seed=18)
    hostile.settle(made)
    return made


def fleetc(site: Site, *argv: str, closed: bool = False):
    """(what went wrong, the run) for one audited `fleetc ARGV` in the repository."""
    return hostile.audit_one(site, list(argv), closed, timeout=60)


def located(run: audit.Run, name: str) -> list[dict]:
    """The diagnostics of a --format json run located in the file `name`."""
    return [
        d
        for d in run.json()["diagnostics"]
        if d["location"] and Path(d["location"]["file"]).name == name
    ]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    one generate), every command exits 0 (build 3: the stand-in nix builds
    nothing) and the audit sees nothing wrong."""
    for number, (kind, repo) in enumerate(sorted(made.items())):
        site = make_site(scratch / str(number), *kind[:3], number, repo)
        site.in_git = kind[3]
        for argv in hostile.every_command(site, site.fleet, random.Random(number)):
            argv = [arg for arg in argv if arg not in ("--locked", "--force")]
            problems, run = fleetc(site, *argv)
            assert problems == [], (kind, argv)
            assert run.exit == (3 if argv[0] == "build" else 0), (kind, argv)


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

    assert "a traceback" in " ".join(hostile.judge(site, audited(site, lambda: 1 / 0)))
    ended = hostile.ended_badly(audited(site, hang, timeout=1))
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
    assert hostile.ended_badly(run) == ["exit status 120"]
    assert "a traceback" in " ".join(hostile.judge(site, run))


def test_removals_of_the_tree_are_judged(site):
    """A retired VM's `rm -rf` directly under state_dir passes; one that
    leaves it (as a tree edited after the fact would hold) is reported."""
    retire(site, '"old"')
    delete_state(site, '"old"')
    problems, run = fleetc(site, "generate", site.fleet)
    assert problems == [] and run.exit == 0
    host = site.out_dir / "hosts" / "server1.nix"
    assert hostile.RM_RF.findall(host.read_text()) == ["/var/lib/microvms/old"]
    escaping = host.read_text().replace("/microvms/old", "/microvms/../../etc")
    host.write_text(escaping)
    assert hostile.removals_escaping(site) == [
        "rm -rf of '/var/lib/microvms/../../etc'"
    ]


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


def edited_lock(site: Site, record: str) -> None:
    """fleet.lock with `record` added, its last line `# sha256: edited`."""
    lock = site.lock()
    body = "".join(
        line
        for line in lock.read_text().splitlines(keepends=True)
        if not line.startswith("# sha256:")
    )
    lock.write_text(body + record + "# sha256: edited\n")


def retire(site: Site, vm_key: str) -> None:
    """A retirement record for `vm_key` (a TOML key) on server1."""
    record = f'\n[retired.{vm_key}.server1]\nmachine_id = "{"ab" * 16}"\n'
    edited_lock(site, record + 'taps = ["vm-old"]\n')
    (site.repo / "fleet.fleet").unlink()  # the twin would disagree (F035)


def delete_state(site: Site, names: str) -> None:
    fleet = site.repo / site.fleet
    text = fleet.read_text().replace(
        'state_dir = "/var/lib/microvms"\n',
        f'state_dir = "/var/lib/microvms"\ndelete_state = [{names}]\n',
    )
    fleet.write_text(text)


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


# -- what the random run found ---------------------------------------------------------


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
