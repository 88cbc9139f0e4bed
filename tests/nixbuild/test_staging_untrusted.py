"""`fleetc build` on a repository written by others (issue 18, cases 11-13).

Everything staged reaches the world-readable Nix store, so build gives Nix
only what any local user could read anyway, never follows a link out of the
repository, and never reads or writes a generated/flake.lock that is a link.
The end-to-end tests build with Debian's real Nix against the stand-in flakes
(as tests/nixbuild/test_build.py does) and look into the store; the others stage into
a real directory and look at the copy.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.nixbuild import flake_lock
from fleetc.nixbuild.staging import Root, StagingRefused, stage_tree

from tests.support.nixeval import MICROVM, NIXPKGS, flake_options, nix_env, overrides
from tests.support.paths import SAMPLES

OVERRIDES = flake_options(overrides("current"))
GENERATED = {"flake.nix": "{ outputs = _: { }; }\n", "vms/web.nix": "{ }\n"}


def fleetc(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=cwd,
        env=nix_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def commit(repo: Path, *paths: str) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", *paths], ["commit", "-qm", "fleet"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)


def in_store(name: str) -> list[Path]:
    """Every file or link called `name` in a flake source Nix copied to the store."""
    found = []
    for source in Path("/nix/store").glob("*-source"):
        for directory, _, files in os.walk(source):
            found += [Path(directory, name) for f in files if f == name]
    return found


def locks_holding(token: str) -> list[Path]:
    """The flake.lock files in the store's flake sources that hold `token`."""
    return [
        lock
        for lock in Path("/nix/store").glob("*-source/flake.lock")
        if token.encode() in lock.read_bytes()
    ]


@pytest.fixture()
def journald(tmp_path) -> Path:
    """The journald sample, without the twin (the tests edit fleet.toml)."""
    fleet = tmp_path / "fleet"
    skip = shutil.ignore_patterns("generated", "fleet.fleet")
    shutil.copytree(SAMPLES / "journald", fleet, ignore=skip)
    return fleet


def with_path_inputs(fleet: Path) -> None:
    """nixpkgs and microvm as `path:` inputs: Nix locks them itself, offline
    (no --override-input)."""
    toml = fleet / "fleet.toml"
    inputs = f'nixpkgs = "path:{NIXPKGS}"\nmicrovm = "path:{MICROVM}"\n'
    toml.write_text(toml.read_text().replace("[fleet]\n", "[fleet]\n" + inputs, 1))


# Case 11: generated/flake.lock a link to a file outside the repository.


def test_a_linked_flake_lock_is_refused_never_stored_nor_written_through(
    journald, tmp_path
):
    """The outside file is an out-of-date lock: Nix would have pinned the
    inputs and fleetc written the new lock through the link (and the file
    would have been in the store, token and all)."""
    token = secrets.token_hex(8)
    with_path_inputs(journald)
    outside = tmp_path / "outside.lock"
    planted = '{"nodes": {"root": {}}, "root": "root", "version": 7, "t": "%s"}\n'
    outside.write_text(planted % token)
    assert fleetc(journald, "generate", "fleet.toml").returncode == 0
    (journald / "generated" / "flake.lock").symlink_to(outside)
    done = fleetc(journald, "build", "fleet.toml", "dns")
    assert done.returncode == 2, done.stderr
    assert "error[F052]: `generated/flake.lock` is a symbolic link" in done.stderr
    assert "evaluating" not in done.stderr and "NAME" not in done.stdout
    assert outside.read_text() == planted % token
    assert (journald / "generated" / "flake.lock").is_symlink()
    assert locks_holding(token) == []


def test_a_regular_flake_lock_is_used_as_it_is_and_never_rewritten(journald):
    """The control: `fleetc lock` writes the lock Nix made; build reads it and
    leaves it alone (--no-update-lock-file)."""
    with_path_inputs(journald)
    assert fleetc(journald, "generate", "fleet.toml").returncode == 0
    locked = fleetc(journald, "lock", "fleet.toml")
    assert locked.returncode == 0, locked.stderr
    lock = journald / "generated" / "flake.lock"
    assert '"microvm"' in lock.read_text() and not lock.is_symlink()
    before = lock.stat().st_mtime_ns
    again = fleetc(journald, "build", "fleet.toml", "dns")
    assert again.returncode == 0, again.stderr
    assert lock.stat().st_mtime_ns == before


def test_a_lock_linked_after_staging_is_not_written_through(tmp_path):
    """Between staging and Nix's lock, the lock became a link: the write is
    refused (O_NOFOLLOW), not made through it."""
    outside = tmp_path / "outside"
    outside.write_text("untouched\n")
    (tmp_path / "flake.lock").symlink_to(outside)
    with pytest.raises(StagingRefused) as refused:
        flake_lock.write(tmp_path, b'{"nodes": {}}\n')
    assert refused.value.diagnostic.code == "F052"
    assert outside.read_text() == "untouched\n"


def test_a_fifo_or_an_oversized_lock_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "flake.lock")  # opened for reading, it would block
    with pytest.raises(StagingRefused, match="not a regular file"):
        flake_lock.read(tmp_path)
    (tmp_path / "flake.lock").unlink()
    (tmp_path / "flake.lock").write_bytes(b" " * (flake_lock.LIMIT + 1))
    with pytest.raises(StagingRefused, match="larger than 4 MiB"):
        flake_lock.read(tmp_path)


# Case 12: a tracked, world-readable file inside a directory only its owner can read.


def test_a_readable_file_in_a_private_directory_never_reaches_the_store(journald):
    token = secrets.token_hex(8)
    private = journald / "private"
    private.mkdir()
    (private / f"wg-{token}.key").write_text("private key\n")
    (private / f"wg-{token}.key").chmod(0o644)
    (journald / f"public-{token}.txt").write_text("anyone may read this\n")
    commit(journald, "fleet.toml", "modules", "private", f"public-{token}.txt")
    private.chmod(0o700)
    done = fleetc(journald, "build", "fleet.toml", "dns", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    assert in_store(f"public-{token}.txt") != []
    assert in_store(f"wg-{token}.key") == []
    assert (
        f"warning[F050]: `private/wg-{token}.key` is not given to Nix: only its"
        " owner can read the directory `private/` above it"
    ) in done.stderr


# Case 13: a tracked directory replaced by a link to outside; links leading out.


def test_a_tracked_directory_now_a_link_to_outside_is_not_staged(journald, tmp_path):
    token = secrets.token_hex(8)
    (journald / "extra").mkdir()
    (journald / "extra" / f"notes-{token}.txt").write_text("the repository's\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / f"notes-{token}.txt").write_text("outside the repository\n")
    (journald / f"escape-{token}.txt").symlink_to(outside / f"notes-{token}.txt")
    commit(journald, "fleet.toml", "modules", "extra", f"escape-{token}.txt")
    shutil.rmtree(journald / "extra")
    (journald / "extra").symlink_to(outside)
    done = fleetc(journald, "build", "fleet.toml", "dns", "--", *OVERRIDES)
    assert done.returncode == 0, done.stderr
    assert in_store(f"notes-{token}.txt") == []
    assert in_store(f"escape-{token}.txt") == []
    assert (
        f"warning[F051]: `extra/notes-{token}.txt` is not given to Nix: `extra` on"
        f" its path is a symbolic link (to `{outside}`), never followed"
    ) in done.stderr
    assert f"warning[F051]: the link `escape-{token}.txt` -> `{outside}/" in (
        done.stderr
    )


def stage(root: Root, tmp_path: Path):
    """stage_tree into a fresh scratch directory: (the copy, what it said)."""
    tree = tmp_path / "scratch" / "tree"
    tree.parent.mkdir()
    _, said = stage_tree(root, root.path / "generated", GENERATED, tree)
    return tree, said


def links_below(directory: Path) -> set[str]:
    return {
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_symlink()
    }


def test_links_stay_only_while_they_resolve_inside_the_copy(tmp_path):
    """`p/q/up -> ../..` is the root (inside); `p/q/out -> up/../x` looks
    inside when read as text but the kernel resolves `up` first: outside.
    An absolute link leaves the copy even when it names a file of the fleet."""
    fleet = tmp_path / "fleet"
    (fleet / "p" / "q").mkdir(parents=True)
    (fleet / "p" / "q" / "up").symlink_to("../..")
    (fleet / "p" / "q" / "out").symlink_to("up/../x")
    (fleet / "module.nix").write_text("{ }\n")
    (fleet / "same.nix").symlink_to("module.nix")
    (fleet / "absolute.nix").symlink_to(fleet / "module.nix")
    (fleet / "away").symlink_to("/etc")
    tree, said = stage(Root(fleet, False), tmp_path)
    assert links_below(tree) == {"p/q/up", "same.nix"}
    assert sorted(d.file.rsplit("/fleet/", 1)[1] for d in said) == [
        "absolute.nix",
        "away",
        "p/q/out",
    ]
    assert {d.code for d in said} == {"F051"}


def test_a_private_root_leaves_out_all_but_the_modules_the_fleet_names(tmp_path):
    fleet = tmp_path / "fleet"
    (fleet / "modules").mkdir(parents=True)
    for name in ("modules/named.nix", "modules/other.nix", "notes.txt"):
        (fleet / name).write_text("{ }\n")
    fleet.chmod(0o700)
    named = (fleet / "modules" / "named.nix").as_posix()
    tree, said = stage(Root(fleet, False, frozenset({named})), tmp_path)
    staged = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}
    assert staged == {
        "modules/named.nix",
        "generated/flake.nix",
        "generated/vms/web.nix",
    }
    assert sorted(d.message.split("`")[1] for d in said) == [
        "modules/other.nix",
        "notes.txt",
    ]
    assert all("the directory `./`" in d.message for d in said)


def test_generated_files_are_staged_from_memory_whatever_their_modes(tmp_path):
    """A mode-700 output directory (umask 077) is no reason to warn: the
    generated files are written into the copy from this run's own text."""
    fleet = tmp_path / "fleet"
    (fleet / "generated" / "vms").mkdir(parents=True)
    (fleet / "generated" / "vms" / "web.nix").write_text("{ }\n")
    (fleet / "generated").chmod(0o700)
    tree, said = stage(Root(fleet, False), tmp_path)
    assert said == []
    assert (tree / "generated" / "vms" / "web.nix").read_text() == "{ }\n"


def test_a_control_character_in_a_name_is_shown_escaped(tmp_path):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "evil\n\x1b[2Jname").write_text("x\n")
    (fleet / "evil\n\x1b[2Jname").chmod(0o600)
    _, [said] = stage(Root(fleet, False), tmp_path)
    assert "evil\\n\\u001b[2Jname" in said.message
    assert "\n" not in said.message and "\x1b" not in said.file
