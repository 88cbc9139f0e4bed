"""The writer owns only its files: refusals, removals, the lock, a failed write."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from fleetc.output.writer import MANIFEST, LockFile, WriteRefused, write_tree


def tree(directory):
    return {
        p.relative_to(directory).as_posix(): p.read_text()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_first_write_creates_files_and_manifest(tmp_path):
    out = tmp_path / "generated"
    report = write_tree(out, {"flake.nix": "{ }\n", "vms/a.nix": "{ }\n"})
    assert tree(out).keys() == {"flake.nix", "vms/a.nix", MANIFEST}
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["flake.nix", "vms/a.nix"]
    assert report.changed == ("flake.nix", "vms/a.nix")


def test_rewrite_reports_only_changes_and_removals(tmp_path):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n", "vms/a.nix": "a\n", "vms/b.nix": "b\n"})
    report = write_tree(out, {"flake.nix": "{ }\n", "vms/a.nix": "a2\n"})
    assert report.changed == ("vms/a.nix",)
    assert report.removed == ("vms/b.nix",)
    assert not (out / "vms/b.nix").exists()


def test_foreign_files_are_carried_over(tmp_path):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n"})
    (out / "flake.lock").write_text('{"nodes": {}}\n')
    write_tree(out, {"flake.nix": "{ x = 1; }\n"})
    assert (out / "flake.lock").read_text() == '{"nodes": {}}\n'


def test_refuses_to_overwrite_a_file_it_does_not_own(tmp_path):
    out = tmp_path / "generated"
    out.mkdir()
    (out / "flake.nix").write_text("my own flake\n")
    before = tree(out)
    with pytest.raises(WriteRefused, match="not written by fleetc"):
        write_tree(out, {"flake.nix": "{ }\n"})
    assert tree(out) == before


def test_refuses_to_discard_hand_edits_unless_forced(tmp_path):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n"})
    (out / "flake.nix").write_text("{ edited = true; }\n")
    with pytest.raises(WriteRefused, match="edited by hand"):
        write_tree(out, {"flake.nix": "{ new = 1; }\n"})
    assert (out / "flake.nix").read_text() == "{ edited = true; }\n"
    write_tree(out, {"flake.nix": "{ new = 1; }\n"}, force=True)
    assert (out / "flake.nix").read_text() == "{ new = 1; }\n"


def test_a_failed_write_leaves_the_old_tree_intact(tmp_path):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "old\n"})
    before = tree(out)
    # A 250-byte name is allowed, but not its 262-byte temp name: fails midway,
    # after other temp files and a new directory were made.
    files = {"flake.nix": "new\n", "a/b.nix": "y\n", "z/" + "n" * 250: "x\n"}
    with pytest.raises(OSError):
        write_tree(out, files)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["generated"]


def test_corrupt_manifest_is_refused_not_a_traceback(tmp_path):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n"})
    (out / MANIFEST).write_text("not json")
    with pytest.raises(WriteRefused, match="not a fleetc manifest"):
        write_tree(out, {"flake.nix": "{ }\n"})


def test_a_directory_a_removal_leaves_empty_goes_but_other_empty_dirs_stay(tmp_path):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n", "hosts/h1/a.nix": "a\n", "vms/b.nix": "b\n"})
    (out / "mine").mkdir()
    (out / "vms" / "also-mine").mkdir()
    write_tree(out, {"flake.nix": "{ }\n"})
    assert not (out / "hosts").exists()
    assert (out / "mine").is_dir() and (out / "vms" / "also-mine").is_dir()


def test_removing_a_hand_edited_file_is_refused_unless_forced(tmp_path):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n", "vms/b.nix": "b\n"})
    (out / "vms" / "b.nix").write_text("my change\n")
    with pytest.raises(WriteRefused, match="edited by hand"):
        write_tree(out, {"flake.nix": "{ }\n"})
    assert (out / "vms" / "b.nix").read_text() == "my change\n"
    write_tree(out, {"flake.nix": "{ }\n"}, force=True)
    assert not (out / "vms" / "b.nix").exists()


@pytest.mark.parametrize("blocker", ["vms/a.nix", "vms"])
def test_a_foreign_directory_or_file_in_the_way_is_refused(tmp_path, blocker):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n"})
    if blocker == "vms":
        (out / "vms").write_text("a file where fleetc needs a directory\n")
    else:
        (out / "vms" / "a.nix").mkdir(parents=True)
    before = tree(out)
    with pytest.raises(WriteRefused, match="not written by fleetc") as refused:
        write_tree(out, {"flake.nix": "{ x = 1; }\n", "vms/a.nix": "a\n"})
    assert refused.value.code == "F007"
    assert tree(out) == before


def test_a_torn_journal_is_not_fleetcs_and_nothing_is_touched(tmp_path):
    """fleetc renames its journal into place whole: a torn one is not its own."""
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n"})
    (out / ".fleetc-journal.json").write_text("{ torn")
    before = tree(out)
    with pytest.raises(WriteRefused, match="journal") as refused:
        write_tree(out, {"flake.nix": "{ x = 1; }\n"})
    assert refused.value.code == "F046"
    assert tree(out) == before


def test_an_unreadable_journal_is_refused_and_nothing_is_touched(tmp_path):
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n"})
    os.mkfifo(out / ".fleetc-journal.json")
    with pytest.raises(WriteRefused, match="not a regular file") as refused:
        write_tree(out, {"flake.nix": "{ x = 1; }\n"})
    assert refused.value.code == "F041"
    assert (out / "flake.nix").read_text() == "{ }\n"


def test_fleet_lock_is_written_with_the_tree_and_only_when_it_differs(tmp_path):
    out, lock = tmp_path / "generated", tmp_path / "fleet.lock"
    report = write_tree(out, {"flake.nix": "{ }\n"}, lock=LockFile(lock, "v1\n"))
    assert report.lock_changed and lock.read_text() == "v1\n"
    inode = lock.stat().st_ino
    report = write_tree(out, {"flake.nix": "{ }\n"}, lock=LockFile(lock, "v1\n"))
    assert not report.lock_changed and lock.stat().st_ino == inode
    write_tree(out, {"flake.nix": "{ }\n"}, lock=LockFile(lock, "v2\n"))
    assert lock.read_text() == "v2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fleet.lock", "generated"]


@pytest.mark.parametrize("name", ["../outside.txt", "/etc/hostname", "vms//a.nix"])
def test_a_manifest_naming_paths_outside_the_tree_is_refused(tmp_path, name):
    outside = tmp_path / "outside.txt"
    outside.write_text("x\n")
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n"})
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"][name] = hashlib.sha256(b"x\n").hexdigest()
    (out / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(WriteRefused, match="not a fleetc manifest"):
        write_tree(out, {"flake.nix": "{ }\n"})
    assert outside.read_text() == "x\n"


def test_planned_writes_are_the_compiles_own_texts(tmp_path):
    """The plan holds the texts it was given, encoded only as each file is
    written: the tree (33 MB at 10,000 VMs) is not held twice (generate's
    peak memory, issue 11). The bytes written are still the UTF-8 texts."""
    from fleetc.output.writer import plan

    out = tmp_path / "generated"
    files = {"flake.nix": "{ }\n", "vms/ä.nix": "# é\n"}
    change, _ = plan(out, files, False, None)
    assert all(change.writes[name] is text for name, text in files.items())
    write_tree(out, files)
    assert (out / "vms/ä.nix").read_bytes() == "# é\n".encode()


def test_hashes_read_in_pieces_are_the_whole_texts_hashes(tmp_path):
    """digest() and file_hash() hash a piece at a time; a text longer than a
    piece, with multi-byte characters across the cuts, hashes as its bytes."""
    from fleetc.output.tree import DIGEST_PIECE, digest, file_hash

    text = ("é" * (DIGEST_PIECE // 3) + "x\n") * 4
    expected = hashlib.sha256(text.encode()).hexdigest()
    (tmp_path / "big.nix").write_bytes(text.encode())
    assert len(text.encode()) > 2 * DIGEST_PIECE
    with open(tmp_path / "big.nix", "rb") as file:
        assert digest(text) == expected == file_hash(file)
    assert digest("") == hashlib.sha256(b"").hexdigest()


def test_a_hand_edit_of_the_same_length_is_still_refused(tmp_path):
    """Files on disk are compared by hash now: one changed byte is seen."""
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ a = 1; }\n"})
    (out / "flake.nix").write_text("{ a = 2; }\n")
    with pytest.raises(WriteRefused):
        write_tree(out, {"flake.nix": "{ a = 1; }\n"})
    report = write_tree(out, {"flake.nix": "{ a = 1; }\n"}, force=True)
    assert report.changed == ("flake.nix",)
    assert (out / "flake.nix").read_text() == "{ a = 1; }\n"
