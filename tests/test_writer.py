"""The writer owns only its files and swaps whole trees atomically."""

from __future__ import annotations

import json

import pytest

from fleetc.writer import MANIFEST, WriteRefused, write_tree


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
