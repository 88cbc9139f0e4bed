"""runner_from_host: the FAQ's lib.buildRunner answer, built for real against
the stand-ins (whose buildRunner takes the hypervisor from
microvm.<hypervisor>.package, defaulting to microvm.vmHostPackages, and its
helpers from `pkgs`, as microvm.nix's lib/runner.nix does).

The host's module puts an overlay on the host's nixpkgs; a VM built with
runner_from_host must run the overlaid hypervisor, a VM without it the stock
one, and every path to a runner (packages, hydraJobs, the host's
microvm.vms) must agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import generate, inputs, staged, write_fleet

FLEET = """\
[fleet]
name = "hv"
flake = "git+https://example.org/hv"

[defaults.vm]
hypervisor = "cloud-hypervisor"

[hosts.hv]
modules = ["hosts/hv.nix"]

[vms.onhost]
host = "hv"
runner_from_host = true

[vms.own]
host = "hv"
"""
HOST_MODULE = """{ ... }:
{
  nixpkgs.overlays = [
    (final: prev: {
      cloud-hypervisor = builtins.toFile "cloud-hypervisor" "the host's cloud-hypervisor\\n";
      socat = builtins.toFile "socat" "the host's socat\\n";
    })
  ];
}
"""
ONHOST, OWN = "packages.x86_64-linux.onhost", "packages.x86_64-linux.own"
HYDRA = "hydraJobs.onhost"
HOST = "nixosConfigurations.hv.config.system.build.toplevel"
GUEST = "nixosConfigurations.onhost.config.system.build.toplevel"


@pytest.fixture(scope="module")
def flake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("runners")
    fleet = write_fleet(root / "fleet", FLEET, {"hosts/hv.nix": HOST_MODULE})
    generate(fleet)
    return staged(fleet, root / "staged")


@pytest.fixture(scope="module", params=["current", "legacy"])
def built(request, flake) -> dict:
    paths = nixeval.build_flake(
        flake, [ONHOST, OWN, HYDRA, HOST, GUEST], inputs(request.param)
    )
    manifests = nixeval.manifests(paths[a] for a in (ONHOST, OWN, HOST))
    return {
        "paths": paths,
        **dict(zip(("onhost", "own", "host"), manifests, strict=True)),
    }


def text(path: str) -> str:
    return Path(path).read_text()


def test_a_host_built_runner_takes_the_hosts_hypervisor_and_helpers(built):
    onhost = built["onhost"]
    assert text(onhost["hypervisorPackage"]) == "the host's cloud-hypervisor\n"
    assert text(onhost["helpers"]) == "the host's socat\n"
    assert onhost["hostName"] == "onhost"
    assert onhost["toplevel"] == str(built["paths"][GUEST])


def test_a_vm_without_it_keeps_its_own(built):
    own = built["own"]
    assert text(own["hypervisorPackage"]) == "stand-in for nixpkgs' cloud-hypervisor\n"
    assert text(own["helpers"]) == "stand-in for nixpkgs' socat\n"


def test_hydra_packages_and_the_host_install_the_same_runner(built):
    paths = built["paths"]
    assert paths[HYDRA] == paths[ONHOST]
    vms = built["host"]["microvm"]["vms"]
    assert vms["onhost"]["runner"] == str(paths[ONHOST])
    assert vms["own"]["runner"] == str(paths[OWN])
