"""The writer in real repositories: it owns its files and nothing else, in every layout.

Issue 9 items 1, 4 and 10: output at the repository root, in the fleet file's
folder, behind a symlink; no-op runs; concurrent runs; old staging debris.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import time

import pytest

from tests.support.writer_layouts import (
    FLEETC,
    LAYOUTS,
    debris,
    fleet_toml,
    foreign_state,
    git_ok,
    make_repo,
    quiet_env,
)

VMS = 30


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generate_touches_only_owned_files_in_every_layout(tmp_path, layout):
    repo = make_repo(tmp_path, layout)
    before = foreign_state(repo)
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    repo.write_fleet(fleet_toml(VMS, repo.output, mem=2048, skip={3, 4}))
    repo.generate()
    assert foreign_state(repo) == before
    assert git_ok(repo)
    assert "vms/vm5.nix" in repo.owned() and "vms/vm3.nix" not in repo.owned()
    assert not (repo.out_dir / "vms" / "vm3.nix").exists()
    assert b"2048" in (repo.out_dir / "vms" / "vm5.nix").read_bytes()
    lock = repo.lock.read_text()
    assert "[vms.vm3]" not in lock and "[vms.vm5]" in lock
    assert "\n[retired.vm3." in lock  # to be stopped where it ran (retire.py)
    assert debris(repo.root, repo.out_dir, tmp_path) == []


def test_symlinked_output_directory_stays_a_link_and_its_target_gets_the_tree(
    tmp_path,
):
    repo = make_repo(tmp_path, "symlink")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    assert (repo.root / "generated").is_symlink()
    target = tmp_path / "srv" / "fleet-tree"
    assert (target / "flake.nix").is_file() and (target / "vms" / "vm0.nix").is_file()
    assert sorted(p.name for p in repo.root.iterdir()) == [
        ".git",
        "fleet.lock",
        "fleet.toml",
        "generated",
    ]


@pytest.mark.parametrize("where", ["vms/vm1.nix", "vms", "hosts"])
def test_a_symlink_at_or_above_an_owned_path_is_refused_not_followed(tmp_path, where):
    repo = make_repo(tmp_path, "own-folder")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(repo.out_dir / "vms", elsewhere / "vms")
    shutil.copytree(repo.out_dir / "hosts", elsewhere / "hosts")
    moved = repo.out_dir / where
    (shutil.rmtree if moved.is_dir() else os.unlink)(moved)
    moved.symlink_to(elsewhere / where)
    outside = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    lock = repo.lock.read_bytes()
    repo.write_fleet(fleet_toml(VMS, repo.output, mem=2048, skip={1}))
    done = repo.generate(check=False)
    assert done.returncode == 2
    assert "F040" in done.stderr and "is a symbolic link" in done.stderr
    assert moved.is_symlink()
    assert {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()} == outside
    assert repo.lock.read_bytes() == lock


def stats(repo) -> dict[str, tuple[int, int, int]]:
    """inode, mtime and ctime of every path of the output directory and the lock."""
    paths = [repo.out_dir, *repo.out_dir.rglob("*"), repo.lock, repo.fleet_dir]
    found = {}
    for path in paths:
        status = os.lstat(path)
        found[str(path)] = (status.st_ino, status.st_mtime_ns, status.st_ctime_ns)
    return found


WRITING_CALLS = (
    "write,pwrite64,writev,rename,renameat,renameat2,unlink,unlinkat,rmdir,"
    "mkdir,mkdirat,fsync,fdatasync,syncfs,sync,truncate,ftruncate,openat"
)


def writing_syscalls(repo, *options: str) -> list[str]:
    """Every syscall that changes a file, seen by strace in a real `fleetc generate`."""
    log = repo.root.parent / "strace.log"
    subprocess.run(
        ["strace", "-f", "-qq", "-o", str(log), "-e", f"trace={WRITING_CALLS}"]
        + [str(FLEETC), "generate", "fleet.toml", *options],
        cwd=repo.fleet_dir,
        env=quiet_env(),
        check=True,
        capture_output=True,
    )
    found = []
    for line in log.read_text().splitlines():
        call = re.sub(r"^\d+\s+", "", line)
        if call.startswith("openat(") and not re.search(
            r"O_WRONLY|O_RDWR|O_CREAT", call
        ):
            continue  # opened for reading
        if call.startswith(("write(2,", "write(1,")):
            continue  # the report on stderr
        found.append(call)
    return found


@pytest.mark.parametrize("layout", ["repo-root", "symlink"])
def test_a_run_that_changes_nothing_writes_nothing(tmp_path, layout):
    """A no-op generate writes nothing anywhere: not the tree, not fleet.lock."""
    repo = make_repo(tmp_path, layout)
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    before = stats(repo)
    time.sleep(0.15)  # so that a rewrite would show in the stats
    repo.generate()
    assert stats(repo) == before
    if shutil.which("strace"):
        assert writing_syscalls(repo) == []
        assert stats(repo) == before


def test_changing_one_vm_rewrites_only_its_file_and_the_manifest(tmp_path):
    repo = make_repo(tmp_path, "repo-root")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    before = stats(repo)
    time.sleep(0.01)
    text = fleet_toml(VMS, repo.output).replace(
        '[vms.vm7]\nhost = "h0"\nmem = 1024', '[vms.vm7]\nhost = "h0"\nmem = 4096'
    )
    repo.write_fleet(text)
    repo.generate()
    after = stats(repo)
    changed = {p for p in after if after[p] != before.get(p)}
    out = repo.out_dir
    # The two directories whose entries were replaced, the two files, the fleet.
    assert changed == {
        str(out / "vms" / "vm7.nix"),
        str(out / ".fleetc-manifest.json"),
        str(out / "vms"),
        str(out),
        str(repo.fleet),
    }


def test_concurrent_runs_are_serialised(tmp_path):
    repo = make_repo(tmp_path, "own-folder")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    holder = os.open(repo.out_dir, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as another fleetc run would
    run = subprocess.Popen(
        [str(FLEETC), "generate", "fleet.toml"],
        cwd=repo.fleet_dir,
        stderr=subprocess.PIPE,
        text=True,
        env=quiet_env(),
    )
    try:
        first_line = run.stderr.readline()
        assert "waiting for another fleetc run" in first_line
        time.sleep(0.3)
        assert run.poll() is None
        assert not (repo.out_dir / "flake.nix").exists()
    finally:
        os.close(holder)
    assert run.wait(timeout=60) == 0
    assert (repo.out_dir / "flake.nix").is_file()


def test_two_runs_at_once_both_succeed_and_agree(tmp_path):
    repo = make_repo(tmp_path, "repo-root")
    repo.write_fleet(fleet_toml(VMS, repo.output, random_ids=True))
    for _ in range(3):
        runs = [
            subprocess.Popen(
                [str(FLEETC), "generate", "fleet.toml"],
                cwd=repo.fleet_dir,
                stderr=subprocess.PIPE,
                env=quiet_env(),
            )
            for _ in range(2)
        ]
        assert [r.wait(timeout=60) for r in runs] == [0, 0]
        (repo.fleet_dir / "fleet.lock").unlink()  # fresh random ids next round
        repo.generate()
    ids = re.findall(r'machine_id = "([0-9a-f]+)"', repo.lock.read_text())
    tree = (repo.out_dir / "vms" / "vm1.nix").read_text()
    assert len(ids) == VMS and any(i in tree.replace("-", "") for i in ids)


def test_staging_left_by_older_fleetc_is_cleared(tmp_path):
    repo = make_repo(tmp_path, "own-folder")
    dead = 4194305  # above PID_MAX_LIMIT: never a live process
    stale = [
        repo.root / f".generated.fleetc-{dead}",
        repo.root / f".generated.fleetc-{dead + 1}.old",
    ]
    for staging in stale:
        staging.mkdir()
        (staging / ".fleetc-manifest.json").write_text('{"files": {}}\n')
        (staging / "flake.nix").write_text("{ }\n")
    link = repo.root / f".generated.fleetc-{dead + 2}"
    link.symlink_to(tmp_path)
    lock_temp = repo.root / f".fleet.lock.fleetc-{dead + 3}"
    lock_temp.write_text("version = 1\n")
    not_ours = repo.root / f".generated.fleetc-{dead + 4}"
    not_ours.mkdir()
    (not_ours / "data").write_text("no manifest: not provably fleetc's\n")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    assert [p for p in [*stale, link, lock_temp] if os.path.lexists(p)] == []
    assert (not_ours / "data").is_file()


def test_a_foreign_file_at_a_generated_path_is_refused_before_anything_is_written(
    tmp_path,
):
    repo = make_repo(tmp_path, "repo-root")
    (repo.root / "flake.nix").write_text("{ my own flake }\n")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    before = foreign_state(repo)
    done = repo.generate(check=False)
    assert done.returncode == 2 and "F007" in done.stderr
    assert (repo.root / "flake.nix").read_text() == "{ my own flake }\n"
    assert not repo.lock.exists() and not (repo.root / "vms" / "vm0.nix").exists()
    assert foreign_state(repo) == before and debris(repo.root) == []


def test_a_hand_edit_is_refused_and_the_lock_stays_as_it_was(tmp_path):
    repo = make_repo(tmp_path, "fleet-folder")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    edited = repo.out_dir / "vms" / "vm2.nix"
    edited.write_text(edited.read_text() + "# mine\n")
    lock = repo.lock.read_bytes()
    repo.write_fleet(fleet_toml(VMS + 5, repo.output, mem=512))
    done = repo.generate(check=False)
    assert done.returncode == 2 and "edited by hand" in done.stderr
    assert edited.read_text().endswith("# mine\n") and repo.lock.read_bytes() == lock
    assert not (repo.out_dir / "vms" / "vm31.nix").exists()


def test_a_torn_journal_is_exit_1_with_a_diagnostic_not_a_traceback(tmp_path):
    repo = make_repo(tmp_path, "own-folder")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    (repo.out_dir / ".fleetc-journal.json").write_text('{"renames": [')
    repo.write_fleet(fleet_toml(VMS, repo.output, mem=2048))
    done = repo.generate(check=False)
    assert done.returncode == 1, done.stderr
    assert "F046" in done.stderr and "Traceback" not in done.stderr
    assert b"2048" not in (repo.out_dir / "vms" / "vm1.nix").read_bytes()


def test_a_symlinked_fleet_lock_is_refused_not_followed(tmp_path):
    """A link inside the repository is read, but never written through; one
    leading outside is not even read (F010, tests/cli/test_reads_untrusted.py)."""
    repo = make_repo(tmp_path, "own-folder")
    repo.write_fleet(fleet_toml(VMS, repo.output))
    repo.generate()
    (repo.root / "elsewhere").mkdir()
    elsewhere = repo.root / "elsewhere" / "fleet.lock"
    elsewhere.write_bytes(repo.lock.read_bytes())
    repo.lock.unlink()
    repo.lock.symlink_to(elsewhere)
    repo.write_fleet(fleet_toml(VMS + 3, repo.output))
    done = repo.generate(check=False)
    assert done.returncode == 2 and "F040" in done.stderr
    assert repo.lock.is_symlink() and "vm31" not in elsewhere.read_text()
    assert not (repo.out_dir / "vms" / "vm31.nix").exists()


@pytest.mark.parametrize("layout", ["own-folder", "repo-root"])
def test_files_saved_into_the_output_directory_during_a_run_are_kept(tmp_path, layout):
    repo = make_repo(tmp_path, layout)
    repo.write_fleet(fleet_toml(300, repo.output))
    repo.generate()
    repo.write_fleet(fleet_toml(300, repo.output, mem=2048))
    run = subprocess.Popen(
        [str(FLEETC), "generate", "fleet.toml"],
        cwd=repo.fleet_dir,
        stderr=subprocess.DEVNULL,
        env=quiet_env(),
    )
    saved = []
    while run.poll() is None:
        saved.append(repo.out_dir / "notes" / f"saved-{len(saved)}.txt")
        saved[-1].write_text("saved while fleetc ran\n")
        time.sleep(0.002)
    assert run.returncode == 0 and len(saved) > 10
    assert [p.name for p in saved if not p.is_file()] == []
