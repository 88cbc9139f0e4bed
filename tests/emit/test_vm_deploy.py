"""Per-VM `deploy_mode` and `declare = "config"` (issue 22.4): one VM deployed
with `microvm -Ru` among declared ones, and VMs the host builds from their
modules (microvm.vms.<vm>.config) and restarts on a switch. Evaluated and
built against both microvm.nix generations (the stand-in host module
evaluates `config` VMs as microvm.nix does: host system, guest module,
specialArgs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import generate, inputs, staged, write_fleet

FLEET = """\
[fleet]
name = "mixed"
flake = "git+https://git.example.org/org/fleet"
vm_modules = ["modules/vm.nix"]

[hosts.hv]

[hosts.old]
deploy_mode = "imperative"

[vms.web]
host = "hv"
machine_id = "0123456789abcdef0123456789abcdef"

[vms.builder]
host = "hv"
machine_id = "11111111111111111111111111111111"
declare = "config"
modules = ["modules/builder.nix"]

[vms.legacy]
host = "hv"
machine_id = "22222222222222222222222222222222"
deploy_mode = "imperative"

[vms.off]
host = "hv"
machine_id = "33333333333333333333333333333333"
deploy_mode = "imperative"
autostart = false

[vms.back]
host = "old"
machine_id = "44444444444444444444444444444444"
deploy_mode = "declarative"
"""
MODULES = {
    "modules/vm.nix": "{ fleetRoot, ... }: { networking.domain = baseNameOf (toString fleetRoot); }\n",
    "modules/builder.nix": '{ ... }: { environment.etc.role.text = "builder"; }\n',
}

REPORT = """configurations: let
  host = name: let c = configurations.${name}.config; in {
    vms = builtins.mapAttrs (vm: d: {
      inherit (d) restartIfChanged updateFlake autostart;
      config = d.config != null;
      flake = d.flake != null;
    }) c.microvm.vms;
    autostart = c.microvm.autostart;
    installs = builtins.attrNames (c.systemd.services or { });
  };
in { hv = host "hv"; old = host "old"; }"""


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = write_fleet(tmp_path_factory.mktemp("mixed") / "fleet", FLEET, MODULES)
    generate(directory)
    return directory


@pytest.fixture(scope="module", params=["current", "legacy"])
def flake(request, fleet_dir: Path, tmp_path_factory) -> tuple[Path, dict]:
    staged_flake = staged(fleet_dir, tmp_path_factory.mktemp("staged"))
    return staged_flake, inputs(request.param)


def test_declared_and_imperative_vms_share_a_host(flake):
    report = nixeval.eval_flake(
        *[flake[0], "nixosConfigurations", flake[1]], apply=REPORT
    )
    hv = report["hv"]
    assert sorted(hv["vms"]) == ["builder", "web"]
    assert hv["vms"]["web"] == {
        "restartIfChanged": False,
        "updateFlake": "git+https://git.example.org/org/fleet",
        "autostart": True,
        "config": False,
        "flake": True,
    }
    assert hv["vms"]["builder"] == {
        "restartIfChanged": True,
        "updateFlake": None,
        "autostart": True,
        "config": True,
        "flake": False,
    }
    # microvm.nix's derived list, then the VMs deployed with microvm -Ru
    assert sorted(hv["autostart"]) == ["builder", "legacy", "web"]
    # only the flake VM is installed from the flake
    assert hv["installs"] == ["install-microvm-web"]


def test_a_vm_declared_on_an_imperative_host(flake):
    report = nixeval.eval_flake(flake[0], "nixosConfigurations", flake[1], apply=REPORT)
    assert sorted(report["old"]["vms"]) == ["back"]
    assert report["old"]["autostart"] == ["back"]


def test_the_host_builds_the_config_vm_from_its_modules(flake):
    toplevel = "nixosConfigurations.hv.config.system.build.toplevel"
    built = nixeval.build_flake(flake[0], [toplevel], flake[1])
    [host] = nixeval.manifests([built[toplevel]])
    runner = host["microvm"]["vms"]["builder"]["runner"]
    [vm] = nixeval.manifests([Path(runner)])
    [guest] = nixeval.manifests([Path(vm["toplevel"])])
    assert guest["hostName"] == "builder"
    # its own module and the fleet's, through the host's evaluation
    assert guest["etc"]["role"]["text"] == "builder"
    assert guest["etc"]["machine-id"]["text"] == "1" * 32 + "\n"
