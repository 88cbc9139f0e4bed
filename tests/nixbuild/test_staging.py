"""staging.py on real directories and real git: what `fleetc build` copies for Nix.

tests/nixbuild/test_build.py checks the store after real builds; these cover layouts a
build test cannot set up cheaply.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from fleetc.nixbuild.staging import Root, stage_tree

GENERATED = {"flake.nix": "{ outputs = _: { }; }\n", "vms/web.nix": "{ }\n"}


def files_below(directory: Path) -> set[str]:
    return {
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() or p.is_symlink()
    }


def test_a_symlinked_output_directory_is_never_written_through(tmp_path):
    """A copied link `generated -> /srv/fleet-tree` becomes a real directory in
    the copy; the link's target is not touched."""
    fleet, target = tmp_path / "fleet", tmp_path / "fleet-tree"
    fleet.mkdir()
    target.mkdir()
    (fleet / "generated").symlink_to(target)
    tree = tmp_path / "scratch" / "tree"
    tree.parent.mkdir()
    where, _ = stage_tree(Root(fleet, False), fleet / "generated", GENERATED, tree)
    assert where == "generated"
    assert list(target.iterdir()) == []
    assert not (tree / "generated").is_symlink()
    assert (tree / "generated" / "flake.nix").read_text() == GENERATED["flake.nix"]


def test_outside_git_tool_directories_links_and_the_copy_itself_are_skipped(
    tmp_path,
):
    """The fleet's directory may hold the scratch directory (a fleet in /tmp):
    the copy must not copy itself."""
    fleet = tmp_path
    fleet.chmod(0o755)  # pytest makes it 0700: nothing in it would be staged (F050)
    (fleet / "modules").mkdir()
    (fleet / "modules" / "common.nix").write_text("{ }\n")
    (fleet / "results.nix").write_text("{ }\n")
    for skipped in (".git", ".venv", "node_modules"):
        (fleet / skipped).mkdir()
        (fleet / skipped / "config").write_text("x\n")
    (fleet / "result").symlink_to("/nix/store/nothing")
    tree = fleet / "scratch" / "tree"
    tree.parent.mkdir()
    stage_tree(Root(fleet, False), fleet / "generated", GENERATED, tree)
    assert files_below(tree) == {
        "modules/common.nix",
        "results.nix",
        "generated/flake.nix",
        "generated/vms/web.nix",
    }


def test_in_git_only_tracked_files_that_still_exist_are_copied(tmp_path):
    repo = tmp_path / "repo"
    (repo / "modules").mkdir(parents=True)
    for name in ("modules/a.nix", "modules/gone.nix", "link.nix"):
        if name == "link.nix":
            (repo / name).symlink_to("modules/a.nix")
        else:
            (repo / name).write_text("{ }\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    (repo / "modules" / "gone.nix").unlink()
    (repo / "untracked.nix").write_text("{ }\n")
    tree = tmp_path / "scratch" / "tree"
    tree.parent.mkdir()
    stage_tree(Root(repo, True), repo / "generated", GENERATED, tree)
    assert files_below(tree) == {
        "modules/a.nix",
        "link.nix",
        "generated/flake.nix",
        "generated/vms/web.nix",
    }
    assert (tree / "link.nix").is_symlink()


def test_private_files_stay_out_unless_the_fleet_names_them(tmp_path):
    fleet = tmp_path / "fleet"
    (fleet / "modules").mkdir(parents=True)
    for name in ("modules/private.nix", "secret.key", "public.nix"):
        (fleet / name).write_text("{ }\n")
        (fleet / name).chmod(0o644 if name == "public.nix" else 0o600)
    module = (fleet / "modules" / "private.nix").as_posix()
    tree = tmp_path / "scratch" / "tree"
    tree.parent.mkdir()
    root = Root(fleet, False, frozenset({module}))
    _, left_out = stage_tree(root, fleet / "generated", GENERATED, tree)
    assert [(d.code, d.file) for d in left_out] == [
        ("F050", (fleet / "secret.key").as_posix())
    ]
    assert files_below(tree) == {
        "modules/private.nix",
        "public.nix",
        "generated/flake.nix",
        "generated/vms/web.nix",
    }


def test_an_output_that_leaves_the_root_through_dotdot_is_staged_alone(tmp_path):
    """`output = "../elsewhere"` is outside the fleet's directory even though
    it is written below it: only the generated files, inside the copy."""
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "notes.txt").write_text("the fleet's\n")
    tree = tmp_path / "scratch" / "tree"
    tree.parent.mkdir()
    out = fleet / ".." / "elsewhere"
    where, _ = stage_tree(Root(fleet, False), out, GENERATED, tree)
    assert where == "."
    assert files_below(tree.parent) == {"tree/flake.nix", "tree/vms/web.nix"}
