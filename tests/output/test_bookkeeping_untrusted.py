"""fleetc's own files read back are untrusted input (issue 18, parts 2 and 6).

Each case of the issue's table, from a real git repository holding a copy of
samples/basic after one `generate`, with real files, links and FIFOs planted
as a pull request (or anyone who can write there) would: the pending list and
the journal name paths outside the output directory (cases 1, 2), nest too
deeply (3), a staging leftover is committed beside the output (10), two fleets
share one output (14). Every test shows that nothing outside the output
directory changed: the planted targets still exist with their content.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import SAMPLES

MANIFEST = ".fleetc-manifest.json"
PENDING = ".fleetc-pending.json"
JOURNAL = ".fleetc-journal.json"
VICTIM = "precious: not fleetc's\n"


@pytest.fixture()
def repo(tmp_path):
    """tmp/repo (git, committed) with the fleet at repo/ops and its tree at
    repo/ops/generated; tmp/outside holds files outside the repository."""
    root = tmp_path / "repo"
    shutil.copytree(SAMPLES / "basic", root / "ops")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text(VICTIM)
    (outside / "empty").mkdir()
    git(root, "init", "-q")
    commit(root)
    return root


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "pull request")


def fleetc(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=repo / "ops",
        capture_output=True,
        text=True,
        check=False,
    )


def snapshot(top: Path) -> dict[str, object]:
    """Every file (bytes), link (target) and directory below `top`, `.git` aside."""
    found: dict[str, object] = {}
    for path in sorted(top.rglob("*")):
        name = str(path.relative_to(top))
        if ".git" in path.relative_to(top).parts:
            continue
        if path.is_symlink():
            found[name] = ("link", os.readlink(path))
        elif path.is_fifo():
            found[name] = "fifo"
        elif path.is_dir():
            found[name] = "dir"
        else:
            found[name] = path.read_bytes()
    return found


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(
    repo: Path, code: str, exit: int = 1, *command: str
) -> subprocess.CompletedProcess:
    """`command` (generate) refuses with `code`, touching nothing anywhere."""
    before = snapshot(repo.parent)
    done = fleetc(repo, *(command or ("generate",)), "fleet.toml")
    assert done.returncode == exit, done.stderr
    assert f"error[{code}]" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(repo.parent) == before
    assert (repo.parent / "outside" / "victim.txt").read_text() == VICTIM
    return done


def write_json(path: Path, document: object) -> None:
    path.write_text(json.dumps(document) + "\n")


# Case 1: the pending list.


def pending_cases(repo: Path) -> dict[str, dict]:
    outside = repo.parent / "outside"
    return {
        "absolute": {"temps": [str(outside / "victim.txt")], "dirs": []},
        "absolute-pattern": {"temps": [str(outside / ".victim.txt.fleetc-new")]},
        "dotdot": {"temps": ["../../../outside/victim.txt"], "dirs": []},
        "fleet-file": {"temps": ["../fleet.toml"], "dirs": []},
        "owned-not-a-temp": {"temps": ["flake.nix"], "dirs": []},
        "git": {"temps": [".git/.HEAD.fleetc-new"], "dirs": []},
        "other-lock": {"temps": [str(repo / "ops" / ".other.lock.fleetc-new")]},
        "dir-outside": {"temps": [], "dirs": [str(outside / "empty")]},
        "dir-not-made": {"temps": [], "dirs": ["keep"]},
        "link-on-the-way": {"temps": ["leak/.victim.txt.fleetc-new"], "dirs": []},
    }


PENDING_CASES = [
    "absolute",
    "absolute-pattern",
    "dotdot",
    "fleet-file",
    "owned-not-a-temp",
    "git",
    "other-lock",
    "dir-outside",
    "dir-not-made",
    "link-on-the-way",
]


@pytest.mark.parametrize("case", PENDING_CASES)
def test_case1_a_pending_list_naming_what_fleetc_never_made_touches_nothing(repo, case):
    out = repo / "ops" / "generated"
    outside = repo.parent / "outside"
    (outside / ".victim.txt.fleetc-new").write_text(VICTIM)
    (out / "keep").mkdir()  # the user's own empty directory
    (out / "leak").symlink_to(outside)
    document = {"dirs": [], **pending_cases(repo)[case]}
    write_json(out / PENDING, document)
    done = refused(repo, "F047")
    assert f"--> generated/{PENDING}:1:" in done.stderr
    assert "not a fleetc pending list" in done.stderr
    assert (outside / ".victim.txt.fleetc-new").read_text() == VICTIM


# Case 2: the journal.


def test_case2_the_issues_journal_touches_nothing(repo):
    """A planted temp renamed to a file outside, the fleet file unlinked with
    its sha256, a directory outside pruned: all in one journal."""
    ops, outside = repo / "ops", repo.parent / "outside"
    (ops / "generated" / ".x.fleetc-new").write_text("planted\n")
    journal = {
        "renames": [[".x.fleetc-new", str(outside / "victim.txt")]],
        "unlinks": [["../fleet.toml", sha(ops / "fleet.toml")]],
        "prune": [str(outside / "empty")],
    }
    write_json(ops / "generated" / JOURNAL, journal)
    refused(repo, "F047")
    assert (ops / "fleet.toml").is_file() and (outside / "empty").is_dir()


def journal_cases(repo: Path) -> dict[str, tuple[str, dict]]:
    """name -> (code, journal) for one bad entry each (renames and unlinks
    need not say anything more to be refused)."""
    ops, outside = repo / "ops", repo.parent / "outside"
    victim = str(outside / "victim.txt")
    flake = sha(ops / "generated" / "flake.nix")
    return {
        "rename-outside": ("F047", {"renames": [[".x.fleetc-new", victim]]}),
        "rename-dotdot": ("F047", {"renames": [["../.x.fleetc-new", "../x"]]}),
        "rename-not-its-temp": ("F047", {"renames": [[".x.fleetc-new", "flake.nix"]]}),
        "rename-other-lock": (
            "F047",
            {"renames": [[str(ops / ".x.lock.fleetc-new"), str(ops / "x.lock")]]},
        ),
        "rename-through-link": (
            "F047",
            {"renames": [["leak/.victim.txt.fleetc-new", "leak/victim.txt"]]},
        ),
        "rename-over-foreign": (
            "F048",
            {"renames": [[".notes.txt.fleetc-new", "notes.txt"]]},
        ),
        "unlink-fleet-file": (
            "F047",
            {"unlinks": [["../fleet.toml", sha(ops / "fleet.toml")]]},
        ),
        "unlink-outside": ("F047", {"unlinks": [[victim, sha(Path(victim))]]}),
        "unlink-through-link": (
            "F047",
            {"unlinks": [["leak/victim.txt", sha(Path(victim))]]},
        ),
        "unlink-foreign": (
            "F048",
            {"unlinks": [["notes.txt", sha(ops / "generated" / "notes.txt")]]},
        ),
        "unlink-manifest": ("F047", {"unlinks": [[MANIFEST, flake]]}),
        "prune-outside": ("F047", {"prune": [str(outside / "empty")]}),
        "prune-not-emptied": ("F047", {"prune": ["keep"]}),
        "not-a-hash": ("F046", {"unlinks": [["flake.nix", "00"]]}),
        "another-key": ("F046", {"delete": ["flake.nix"]}),
    }


JOURNAL_CASES = [
    "rename-outside",
    "rename-dotdot",
    "rename-not-its-temp",
    "rename-other-lock",
    "rename-through-link",
    "rename-over-foreign",
    "unlink-fleet-file",
    "unlink-outside",
    "unlink-through-link",
    "unlink-foreign",
    "unlink-manifest",
    "prune-outside",
    "prune-not-emptied",
    "not-a-hash",
    "another-key",
]


@pytest.mark.parametrize("case", JOURNAL_CASES)
def test_case2_a_journal_naming_what_fleetc_does_not_own_touches_nothing(repo, case):
    out, outside = repo / "ops" / "generated", repo.parent / "outside"
    for temp in (out / ".x.fleetc-new", out / ".notes.txt.fleetc-new"):
        temp.write_text("planted\n")
    (outside / ".victim.txt.fleetc-new").write_text("planted\n")
    (out / "notes.txt").write_text("the user's notes, in the output directory\n")
    (out / "keep").mkdir()
    (out / "leak").symlink_to(outside)
    code, journal = journal_cases(repo)[case]
    write_json(out / JOURNAL, {"renames": [], "unlinks": [], "prune": [], **journal})
    done = refused(repo, code)
    assert f"--> generated/{JOURNAL}:1:" in done.stderr
    assert (out / "notes.txt").is_file() and (out / "keep").is_dir()


@pytest.mark.parametrize("name", [JOURNAL, PENDING])
def test_a_journal_or_pending_list_that_is_a_link_is_never_read(repo, name):
    secret = repo.parent / "outside" / "secret.json"
    secret.write_text('{"temps": ["TOPSECRET"], "dirs": []}\n')
    (repo / "ops" / "generated" / name).symlink_to(secret)
    done = refused(repo, "F040", 2)
    assert "TOPSECRET" not in done.stdout + done.stderr


@pytest.mark.parametrize("name", [JOURNAL, PENDING])
def test_a_journal_or_pending_list_that_is_a_fifo_is_never_opened_blocking(repo, name):
    os.mkfifo(repo / "ops" / "generated" / name)
    done = refused(repo, "F041", 2)
    assert "not a regular file" in done.stderr


# Case 3: nesting bombs and sizes.


@pytest.mark.parametrize(
    "name,code", [(JOURNAL, "F046"), (PENDING, "F046"), (MANIFEST, "F042")]
)
def test_case3_a_nesting_bomb_is_a_diagnostic_not_a_recursion_error(repo, name, code):
    (repo / "ops" / "generated" / name).write_text("[" * 100_000)
    done = refused(repo, code)
    assert "nested too deeply" in done.stderr


@pytest.mark.parametrize("command", [("diff",), ("generate", "--check")])
def test_case3_a_manifest_bomb_is_a_diagnostic_for_readers_too(repo, command):
    (repo / "ops" / "generated" / MANIFEST).write_text("[" * 100_000)
    done = refused(repo, "F042", 1, *command)
    assert "nested too deeply" in done.stderr


@pytest.mark.parametrize(
    "name,code", [(JOURNAL, "F046"), (PENDING, "F046"), (MANIFEST, "F042")]
)
def test_a_file_above_the_limit_is_refused_before_it_is_parsed(repo, name, code):
    path = repo / "ops" / "generated" / name
    with open(path, "w") as file:
        file.truncate((64 << 20) + 1)  # sparse: no disk, only a size
    done = refused(repo, code)
    assert "larger than 64 MiB" in done.stderr


# Case 10: staging leftovers beside the output.


def plant_staging(repo: Path, pid: int) -> Path:
    staging = repo / "ops" / f".generated.fleetc-{pid}"
    staging.mkdir()
    shutil.copy(repo / "ops" / "generated" / MANIFEST, staging / MANIFEST)
    (staging / "data").write_text(VICTIM)
    return staging


def test_case10_a_committed_staging_leftover_is_never_removed(repo):
    committed = plant_staging(repo, 999_999)
    lock_temp = repo / "ops" / ".fleet.lock.fleetc-999999"
    lock_temp.write_text(VICTIM)
    commit(repo)
    untracked = plant_staging(repo, 999_998)
    done = fleetc(repo, "generate", "fleet.toml")
    assert done.returncode == 0, done.stderr
    assert (committed / "data").read_text() == VICTIM
    assert lock_temp.read_text() == VICTIM
    assert not untracked.exists(), "provably fleetc's: untracked, ours, pid gone"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_case10_a_staging_leftover_of_another_user_is_never_removed(repo):
    staging = plant_staging(repo, 999_997)
    os.chown(staging, 65534, 65534)
    done = fleetc(repo, "generate", "fleet.toml")
    assert done.returncode == 0, done.stderr
    assert (staging / "data").read_text() == VICTIM


# Case 14: one output, one fleet.


@pytest.fixture()
def two_fleets(repo):
    """a.toml and b.toml in one directory, both with the default output;
    a.toml's tree generated (and its twin a.fleet absent)."""
    ops = repo / "ops"
    (ops / "fleet.fleet").unlink()
    text = (ops / "fleet.toml").read_text()
    (ops / "a.toml").write_text(text)
    (ops / "b.toml").write_text(text.replace("vcpu = 2", "vcpu = 3"))
    shutil.rmtree(ops / "generated")
    (ops / "fleet.lock").unlink()
    assert fleetc(repo, "generate", "a.toml").returncode == 0
    return repo


def owner_of(repo: Path) -> list[str] | None:
    manifest = json.loads((repo / "ops" / "generated" / MANIFEST).read_text())
    return manifest.get("fleet")


@pytest.mark.parametrize(
    "command", [("generate",), ("check",), ("diff",), ("generate", "--check")]
)
def test_case14_another_fleets_output_is_refused_naming_both(two_fleets, command):
    ops = two_fleets / "ops"
    before = snapshot(two_fleets.parent)
    done = fleetc(two_fleets, *command, "b.toml")
    assert done.returncode == 1 and "error[F038]" in done.stderr
    theirs = "ops/a.toml or ops/a.fleet, not of ops/b.toml"
    assert f"ops/generated is the output of {theirs}" in done.stderr
    assert "--> b.toml:12:10" in done.stderr and "set `output`" in done.stderr
    assert snapshot(two_fleets.parent) == before and not (ops / "b.lock").exists()
    assert owner_of(two_fleets) == ["../a.toml", "../a.fleet"]


def test_case14_check_of_either_says_whose_tree_it_is(two_fleets):
    for fleet, status in (("a.toml", 0), ("b.toml", 1)):
        done = fleetc(two_fleets, "check", fleet, "--format", "json")
        document = json.loads(done.stdout)
        assert done.returncode == status
        assert document["fleets"][0]["owner"] == "ops/a.toml or ops/a.fleet"


def test_case14_force_takes_the_tree_over(two_fleets):
    done = fleetc(two_fleets, "generate", "b.toml", "--force")
    assert done.returncode == 0, done.stderr
    assert owner_of(two_fleets) == ["../b.toml", "../b.fleet"]
    done = fleetc(two_fleets, "generate", "a.toml")
    assert done.returncode == 1
    theirs = "ops/b.toml or ops/b.fleet, not of ops/a.toml"
    assert f"ops/generated is the output of {theirs}" in done.stderr


def test_a_manifest_without_an_owner_is_adopted_by_the_next_write(two_fleets):
    manifest = two_fleets / "ops" / "generated" / MANIFEST
    document = json.loads(manifest.read_text())
    del document["fleet"]
    manifest.write_text(json.dumps(document, indent=2) + "\n")
    assert fleetc(two_fleets, "check", "b.toml").returncode == 0
    done = fleetc(two_fleets, "generate", "a.toml")
    assert done.returncode == 0, done.stderr
    assert owner_of(two_fleets) == ["../a.toml", "../a.fleet"]


def test_twins_are_one_fleet(repo):
    """samples/basic has fleet.toml and fleet.fleet: either writes the tree."""
    for fleet in ("fleet.toml", "fleet.fleet", "fleet.toml"):
        done = fleetc(repo, "generate", fleet)
        assert done.returncode == 0, done.stderr
        assert owner_of(repo) == ["../fleet.toml", "../fleet.fleet"]


def test_a_symlinked_output_is_one_owner_with_or_without_out(repo):
    """The manifest names the fleet from the link (`../fleet.toml`), as --out
    (which is resolved) and the fleet's `output` both reach it."""
    ops = repo / "ops"
    shutil.move(ops / "generated", repo / "elsewhere")
    (ops / "generated").symlink_to(repo / "elsewhere")
    assert fleetc(repo, "generate", "fleet.toml").returncode == 0
    done = fleetc(repo, "generate", "fleet.toml", "--out", "generated")
    assert done.returncode == 0, done.stderr
    assert owner_of(repo) == ["../fleet.toml", "../fleet.fleet"]


def test_a_manifest_owner_that_is_not_a_name_is_f042(repo):
    manifest = repo / "ops" / "generated" / MANIFEST
    document = json.loads(manifest.read_text())
    document["fleet"] = ["a\nb"]
    manifest.write_text(json.dumps(document, indent=2) + "\n")
    done = refused(repo, "F042")
    assert "`fleet` is not the name of a fleet file" in done.stderr


# Tracked bookkeeping, and fleetc's own crash recovery.


def test_a_committed_pending_list_is_warned_about(repo):
    out = repo / "ops" / "generated"
    write_json(out / PENDING, {"temps": [".flake.nix.fleetc-new"], "dirs": []})
    (out / ".flake.nix.fleetc-new").write_text("left by a kill\n")
    commit(repo)
    done = fleetc(repo, "generate", "--check", "fleet.toml")
    assert "warning[F049]" in done.stderr or "F049" in done.stderr
    assert f"git tracks generated/{PENDING}" in done.stderr
    done = fleetc(repo, "generate", "fleet.toml")
    assert done.returncode == 0 and "F049" in done.stderr
    assert not (out / PENDING).exists()  # fleetc's own shape: cleaned up
    assert not (out / ".flake.nix.fleetc-new").exists()


def test_a_journal_fleetc_wrote_itself_is_still_completed(repo):
    """Killed after its commit (strace: at the third rename, after the pending
    list's and the journal's), a run that removes a VM and changes fleet.lock
    leaves a journal the next run judges fleetc's and completes."""
    ops = repo / "ops"
    text = (ops / "fleet.toml").read_text()
    (ops / "fleet.fleet").unlink()
    (ops / "fleet.toml").write_text(text + '\n[vms.db]\nhost = "server1"\n')
    assert fleetc(repo, "generate", "fleet.toml").returncode == 0
    (ops / "fleet.toml").write_text(text)
    killed = subprocess.run(
        ["strace", "-qq", "-f", "-o", os.devnull, "-e", "trace=rename"]
        + ["-e", "inject=rename:signal=KILL:when=3"]
        + [sys.executable, "-m", "fleetc", "generate", "fleet.toml"],
        cwd=ops,
        capture_output=True,
    )
    assert killed.returncode != 0
    journal = json.loads((ops / "generated" / JOURNAL).read_text())
    assert [name for name, _ in journal["unlinks"]] == ["vms/db.nix"]
    done = fleetc(repo, "generate", "fleet.toml")
    assert done.returncode == 0, done.stderr
    assert not (ops / "generated" / "vms" / "db.nix").exists()
    assert fleetc(repo, "generate", "--check", "fleet.toml").returncode == 0
