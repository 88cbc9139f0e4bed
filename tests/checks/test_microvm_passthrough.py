"""Every microvm.nix option by its path, and turning off what fleetc adds
unasked (issue 22.6). `[defaults.vm.microvm]` and `[vms.<vm>.microvm]` (merged
option by option) reach the guest as written; an option only the current
generation has (graphics.backend) is written where it is declared. Checked
against both generations' option data with located errors and a "did you
mean", in both frontends; evaluated against both microvm.nix stand-ins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import SOPS_NIX, generate, inputs, staged, write_fleet
from tests.support.goldens import run_fleetc

FLEET = """\
[fleet]
name = "options"
flake = "git+https://git.example.org/org/fleet"
host_modules = ["inputs.sops-nix.nixosModules.sops"]
install_condition = false
store_read_only = false
sops_keep_generations = false

[fleet.inputs.sops-nix]
url = "github:Mic92/sops-nix"
follows_nixpkgs = true

[defaults.vm.microvm]
"virtiofsd.threadPoolSize" = 4
socket = "control.sock"

[hosts.h]

[vms.a]
host = "h"
machine_id = "0123456789abcdef0123456789abcdef"
shares = [{ tag = "secrets", source = "/run/secrets", mount = "/run/secrets", read_only = true }]

[vms.a.microvm]
socket = "a-control.sock"
qemu.extraArgs = ["-cpu", "host"]
"graphics.backend" = "gtk"

[vms.b]
host = "h"
machine_id = "fedcba9876543210fedcba9876543210"
"""

REPORT = """configurations: let
  vm = name: let c = configurations.${name}.config; in {
    threads = c.microvm.virtiofsd.threadPoolSize;
    socket = c.microvm.socket;
    extraArgs = c.microvm.qemu.extraArgs;
    store = builtins.head c.microvm.shares;
  };
  host = configurations.h.config;
in {
  a = vm "a" // {
    backend = configurations.a.config.microvm.graphics.backend or null;
  };
  b = vm "b";
  keep = host.sops.keepGenerations;
  services = builtins.attrNames host.systemd.services;
}"""


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = write_fleet(tmp_path_factory.mktemp("options") / "fleet", FLEET)
    generate(directory)
    return directory


@pytest.fixture(scope="module", params=["current", "legacy"])
def evaluated(request, fleet_dir: Path, tmp_path_factory) -> tuple[str, dict]:
    flake = staged(fleet_dir, tmp_path_factory.mktemp("staged"))
    found = inputs(request.param) | {"sops-nix": SOPS_NIX}
    report = nixeval.eval_flake(flake, "nixosConfigurations", found, apply=REPORT)
    return request.param, report


def test_options_reach_the_guest_merged_with_the_defaults(evaluated):
    generation, report = evaluated
    assert report["a"]["threads"] == report["b"]["threads"] == 4
    assert (report["a"]["socket"], report["b"]["socket"]) == (
        "a-control.sock",
        "control.sock",
    )
    assert report["a"]["extraArgs"] == ["-cpu", "host"]
    assert report["b"]["extraArgs"] == []
    # 2026-only: written where microvm.nix declares it
    assert report["a"]["backend"] == ("gtk" if generation == "current" else None)


def test_each_addition_can_be_turned_off(evaluated):
    _, report = evaluated
    assert (
        "readOnly" not in report["a"]["store"] or not report["a"]["store"]["readOnly"]
    )
    assert report["keep"] == 1  # sops-nix's default: fleetc wrote nothing
    assert not any(name.startswith("install-microvm-") for name in report["services"])


def test_the_additions_are_written_by_default(tmp_path: Path):
    text = "\n".join(
        line
        for line in FLEET.splitlines()
        if not line.startswith(("install_condition", "store_read_only", "sops_keep"))
    )
    directory = write_fleet(tmp_path, text + "\n")
    files, _ = generate(directory)
    assert "sops.keepGenerations = 0;" in files["hosts/h.nix"]
    assert "install-microvm-a" in files["hosts/h.nix"]
    store = files["lib/every-vm.nix"]
    assert "readOnly = true;" in store and "import ./compat.nix {" in store


def diagnostics(directory: Path, name: str) -> list[dict]:
    """Errors only (the shared /run/secrets warns by design, F920)."""
    _, stdout, _ = run_fleetc(directory, "check", name, "--format", "json")
    found = json.loads(stdout)["diagnostics"]
    return [d for d in found if d["severity"] == "error"]


def test_a_misspelt_option_is_located_with_a_suggestion_in_both_formats(tmp_path):
    toml = FLEET.replace('"graphics.backend"', '"graphics.backnd"')
    write_fleet(tmp_path / "t", toml)
    [found] = diagnostics(tmp_path / "t", "fleet.toml")
    assert (found["code"], found["location"]["line"]) == ("F640", 27)
    assert found["help"] == "did you mean `microvm.graphics.backend`?"
    dsl = tmp_path / "d"
    dsl.mkdir()
    code, _, _ = run_fleetc(
        tmp_path / "t",
        "convert",
        "fleet.toml",
        "--to",
        "fleet",
        "-o",
        str(dsl / "fleet.fleet"),
    )
    assert code == 0
    text = (dsl / "fleet.fleet").read_text()
    assert "microvm graphics.backnd gtk" in text
    [found] = diagnostics(dsl, "fleet.fleet")
    line = text.splitlines().index("    microvm graphics.backnd gtk") + 1
    assert (found["code"], found["location"]["line"]) == ("F640", line)


@pytest.mark.parametrize(
    "line, code, message",
    [
        (
            '"vsock.cid" = 5',
            "F641",
            "microvm.vsock.cid is written by fleetc from the VM's `vsock_cid` key",
        ),
        (
            '"virtiofsd.inodeFileHandles" = "always"',
            "F642",
            "expects one of `never`, `prefer`, `mandatory`",
        ),
        ('"kernel" = "linux"', "F643", "which only Nix can write"),
        ("virtiofsd = 1", "F640", "microvm.virtiofsd is a group of options"),
    ],
)
def test_values_are_held_to_the_option_data(tmp_path, line, code, message):
    write_fleet(tmp_path, FLEET.replace('socket = "a-control.sock"', line))
    [found] = diagnostics(tmp_path, "fleet.toml")
    assert found["code"] == code
    assert message in found["message"]
