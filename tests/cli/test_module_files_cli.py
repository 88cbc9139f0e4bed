"""Module files through the real CLI: real directories, real git (F020..F025).

`check` and `generate` report what `build` would otherwise hit inside Nix; the
facts come from the disk, looked up by the CLI before the pure core runs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.goldens import SAMPLES, run_fleetc


def git(cwd: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args]
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)


# The tests edit fleet.toml alone; its twin fleet.fleet would then disagree (F035).
ignore_generated_and_twin = shutil.ignore_patterns("gen*", "fleet.fleet")


@pytest.fixture()
def basic(tmp_path) -> Path:
    """samples/basic without its tree and twin: modules/common.nix, modules/vm.nix, vms/web.nix."""
    fleet = tmp_path / "repo"
    shutil.copytree(SAMPLES / "basic", fleet, ignore=ignore_generated_and_twin)
    return fleet


def edit(fleet_dir: Path, old: str, new: str) -> None:
    fleet = fleet_dir / "fleet.toml"
    text = fleet.read_text()
    assert old in text
    fleet.write_text(text.replace(old, new))


def test_check_reports_a_missing_module_file(basic):
    (basic / "vms" / "web.nix").unlink()
    code, _, stderr = run_fleetc(basic, "check", "fleet.toml")
    assert code == 1
    assert "error[F022]: module file `vms/web.nix` does not exist" in stderr
    assert "--> fleet.toml:63:12" in stderr


def test_check_reports_an_absolute_module_path(basic):
    edit(basic, '"vms/web.nix"', '"/etc/nixos/hardware-configuration.nix"')
    code, _, stderr = run_fleetc(basic, "check", "fleet.toml")
    assert code == 1
    assert "error[F020]" in stderr and "--> fleet.toml:63:12" in stderr
    assert "help: copy the file next to the fleet" in stderr


def test_a_directory_with_default_nix_is_a_module(basic):
    (basic / "vms" / "web").mkdir()
    (basic / "vms" / "web" / "default.nix").write_text("{ ... }: { }\n")
    edit(basic, '"vms/web.nix"', '"vms/web"')
    code, _, stderr = run_fleetc(basic, "check", "fleet.toml")
    assert code == 0, stderr


def test_in_git_an_untracked_module_is_warned_about_and_staging_it_is_enough(basic):
    git(basic, "init", "-q")
    git(basic, "add", "fleet.toml", "fleet.lock", "modules", "hosts")
    code, _, stderr = run_fleetc(basic, "check", "fleet.toml")
    assert code == 0
    assert "warning[F023]: module `vms/web.nix` is not tracked by git" in stderr
    assert "help: run `git add vms/web.nix`" in stderr
    git(basic, "add", "vms/web.nix")
    code, _, stderr = run_fleetc(basic, "check", "fleet.toml")
    assert code == 0 and "F023" not in stderr


def test_a_module_leaving_the_repository_is_refused(basic, tmp_path):
    git(basic, "init", "-q")
    (tmp_path / "shared.nix").write_text("{ ... }: { }\n")
    edit(basic, '"vms/web.nix"', '"../shared.nix"')
    git(basic, "add", ".")
    code, _, stderr = run_fleetc(basic, "check", "fleet.toml")
    assert code == 1
    assert "error[F021]: module `../shared.nix`" in stderr
    assert f"is outside the repository `{basic}`" in stderr


def test_generate_outside_the_repository_writes_nothing(basic, tmp_path):
    """The old `make demo` layout (--out /tmp/fleetc-demo from a checkout)."""
    git(basic, "init", "-q")
    git(basic, "add", ".")
    out = tmp_path / "demo"
    code, _, stderr = run_fleetc(basic, "generate", "fleet.toml", "--out", str(out))
    assert code == 1
    assert "error[F024]" in stderr and "--> fleet.toml:17:12" in stderr
    assert "warning[F025]" in stderr and "--> fleet.toml:10:9" in stderr
    assert not out.exists()


def test_outside_git_generate_may_write_anywhere(basic, tmp_path):
    """Which directory Nix will be given is unknown here, so no path is judged
    by it; existence still is (test_check_reports_a_missing_module_file)."""
    out = tmp_path / "demo"
    code, _, stderr = run_fleetc(basic, "generate", "fleet.toml", "--out", str(out))
    assert code == 0, stderr
    assert (out / "flake.nix").is_file()


def test_the_make_demo_layout_generates_clean(tmp_path):
    """`make demo` copies samples/basic to a scratch directory outside git and
    generates there: no diagnostic, and the sample's checked-in tree."""
    demo = tmp_path / "fleetc-demo"
    shutil.copytree(SAMPLES / "basic", demo)
    code, _, stderr = run_fleetc(demo, "generate", str(demo / "fleet.toml"))
    assert (code, stderr.count("warning"), stderr.count("error")) == (0, 0, 0)
    for name in ("flake.nix", "vms/web.nix"):
        expected = (SAMPLES / "basic" / "generated" / name).read_text()
        assert (demo / "generated" / name).read_text() == expected


def test_a_module_symlinked_out_of_the_repository_is_refused(basic, tmp_path):
    """`ln -s /etc/nixos/hardware-configuration.nix`: git tracks the link, but
    pure evaluation cannot follow it out of the flake."""
    outside = tmp_path / "hardware-configuration.nix"
    outside.write_text("{ ... }: { }\n")
    (basic / "vms" / "web.nix").unlink()
    (basic / "vms" / "web.nix").symlink_to(outside)
    (basic / "vms" / "inside.nix").symlink_to("../modules/vm.nix")
    edit(basic, '"vms/web.nix"', '"vms/web.nix", "vms/inside.nix"')
    git(basic, "init", "-q")
    git(basic, "add", ".")
    code, _, stderr = run_fleetc(basic, "check", "fleet.toml")
    assert code == 1
    assert f"error[F021]: module `vms/web.nix` (a link to {outside})" in stderr
    assert stderr.count("error[") == 1 and "module `vms/inside.nix`" not in stderr
