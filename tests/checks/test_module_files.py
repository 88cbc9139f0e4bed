"""Module files the generated flake imports (F020..F025), through the pure core.

The disk facts (which files exist, which git tracks) are built by hand here, as
the CLI would gather them; tests/nixbuild/test_build.py and tests/cli/test_module_files_cli.py use
real directories and real git.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath

from fleetc.core.diagnostics import Diagnostic
from fleetc.core.pipeline import compile
from fleetc.core.placement import DiskView, Placement
from fleetc.core.source import Source

P = PurePosixPath
REPO = P("/repo")
FLEET_DIR = REPO / "fleet"
COMMON = "/repo/fleet/modules/common.nix"
WEB = "/repo/fleet/vms/web.nix"

FLEET = """\
[fleet]
name = "t"
flake = "git+https://git.example.org/fleet"
modules = ["modules/common.nix"]

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
bridge = "br0"

[hosts.h1]
uplink = "eno1"

[vms.web]
host = "h1"
interfaces = [{ network = "lan" }]
modules = ["vms/web.nix", "inputs.nixpkgs.nixosModules.notDetected"]
"""

EVERYTHING = DiskView(frozenset({COMMON, WEB}), frozenset({COMMON, WEB}))


def placed(disk=EVERYTHING, out=None, repo=REPO, root=REPO) -> Placement:
    look_up = None if disk is None else (lambda paths: disk)
    return Placement(FLEET_DIR, repo, P(out) if out else None, root, look_up)


def run(text: str, placement: Placement) -> list[Diagnostic]:
    return compile(Source("fleet.toml", text), placement).diagnostics


def where(found: list[Diagnostic]) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.severity.value, *d.span.line_col) for d in found]


def test_a_fleet_whose_modules_nix_can_read_compiles_clean():
    result = compile(Source("fleet.toml", FLEET), placed())
    assert result.diagnostics == []
    # imported by the VM's module, relative to it (generated/vms/)
    assert "../fleet/vms/web.nix" not in result.files["vms/web.nix"]
    assert "../../vms/web.nix" in result.files["vms/web.nix"]


def test_an_absolute_module_path_is_located_with_help():
    text = FLEET.replace('"vms/web.nix"', '"/etc/nixos/hardware-configuration.nix"')
    found = run(text, placed())
    assert where(found) == [("F020", "error", 17, 12)]
    assert "absolute" in found[0].message
    assert "modules/hardware-configuration.nix" in found[0].help


def test_an_absolute_module_path_is_an_error_without_any_disk_facts():
    text = FLEET.replace('"vms/web.nix"', '"~/web.nix"')
    found = run(text, Placement(FLEET_DIR))
    assert where(found) == [("F020", "error", 17, 12)]


def test_a_module_leaving_the_repository_is_located():
    text = FLEET.replace('"modules/common.nix"', '"../../shared/common.nix"')
    found = run(text, placed())
    assert where(found) == [("F021", "error", 4, 12)]
    assert "/shared/common.nix" in found[0].message
    assert "/repo" in found[0].message
    assert "inputs." in found[0].help


def test_a_module_inside_the_repository_above_the_fleet_is_fine():
    text = FLEET.replace('"modules/common.nix"', '"../shared/common.nix"')
    shared = "/repo/shared/common.nix"
    disk = DiskView(frozenset({shared, WEB}), frozenset({shared, WEB}))
    assert run(text, placed(disk)) == []


def test_a_missing_module_file_is_located():
    disk = DiskView(frozenset({COMMON}), frozenset({COMMON}))
    found = run(FLEET, placed(disk))
    assert where(found) == [("F022", "error", 17, 12)]
    assert "vms/web.nix" in found[0].message and WEB in found[0].message


def test_a_module_git_does_not_track_is_located():
    """A warning while generating (`git add` may follow), an error for build."""
    disk = DiskView(frozenset({COMMON, WEB}), frozenset({COMMON}))
    found = run(FLEET, placed(disk))
    assert where(found) == [("F023", "warning", 17, 12)]
    assert found[0].help == "run `git add fleet/vms/web.nix` (staging it is enough)"
    building = dataclasses.replace(placed(disk), for_build=True)
    assert where(run(FLEET, building)) == [("F023", "error", 17, 12)]


def test_outside_git_nothing_is_asked_of_git():
    disk = DiskView(frozenset({COMMON, WEB}), None)
    assert run(FLEET, placed(disk, repo=None, root=None)) == []


def test_an_output_outside_the_repository_cannot_reach_the_modules():
    found = run(FLEET, placed(out="/tmp/fleetc-demo"))
    codes = where(found)
    assert ("F024", "error", 4, 12) in codes
    f024 = next(d for d in found if d.code == "F024")
    assert "/tmp/fleetc-demo" in f024.message and "1 more" in f024.message


def test_the_fleet_files_own_output_setting_is_what_is_located():
    text = FLEET.replace('name = "t"', 'name = "t"\noutput = "../../elsewhere"')
    found = [d for d in run(text, placed()) if d.code == "F024"]
    assert where(found) == [("F024", "error", 3, 10)]


def test_an_output_outside_the_repository_without_file_modules_only_warns():
    text = FLEET.replace('modules = ["modules/common.nix"]\n', "")
    text = text.replace('"vms/web.nix", ', "")
    found = run(text, placed(out="/tmp/fleetc-demo"))
    assert where(found) == [("F025", "warning", 3, 9)]
    assert "dir=" in found[0].message and "/tmp/fleetc-demo" in found[0].message


def test_update_flake_keeps_a_dir_the_user_wrote_without_warning():
    text = FLEET.replace('modules = ["modules/common.nix"]\n', "")
    text = text.replace('"vms/web.nix", ', "")
    text = text.replace("example.org/fleet", "example.org/fleet?dir=out")
    result = compile(Source("fleet.toml", text), placed(out="/tmp/fleetc-demo"))
    assert result.diagnostics == []
    assert 'updateFlake = "git+https://git.example.org/fleet?dir=out"' in (
        result.files["hosts/h1.nix"]
    )


def test_update_flake_names_the_output_inside_the_repository():
    result = compile(Source("fleet.toml", FLEET), placed())
    assert 'updateFlake = "git+https://git.example.org/fleet?dir=fleet/generated"' in (
        result.files["hosts/h1.nix"]
    )


def test_build_outside_git_confines_modules_to_the_fleet_directory():
    """For `fleetc build` outside git the CLI sets flake_root to the fleet's dir."""
    text = FLEET.replace('"modules/common.nix"', '"../common.nix"')
    found = run(text, placed(disk=None, repo=None, root=FLEET_DIR))
    assert where(found) == [("F021", "error", 4, 12)]
    assert "fleet's directory" in found[0].message


def test_a_module_linked_to_outside_the_repository_is_located():
    hw = "/etc/nixos/hardware-configuration.nix"
    disk = DiskView(
        frozenset({COMMON, WEB}), frozenset({COMMON, WEB}), frozenset({(WEB, hw)})
    )
    found = run(FLEET, placed(disk))
    assert where(found) == [("F021", "error", 17, 12)]
    assert f"(a link to {hw}) is outside the repository `/repo`" in found[0].message


def test_a_module_linked_within_the_repository_is_fine():
    disk = DiskView(
        frozenset({COMMON, WEB}), frozenset({COMMON, WEB}), frozenset({(WEB, COMMON)})
    )
    assert run(FLEET, placed(disk)) == []
