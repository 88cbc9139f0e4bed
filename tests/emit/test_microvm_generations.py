"""fleetc's generated tree against both generations of microvm.nix (the stand-ins
in tests/nix): 2025-07 (astro/microvm.nix f30ae9b: no microvm.machineId, so the
FAQ's /etc/machine-id recipe; no shares.*.readOnly, whose guard drops it from
the /nix/store share) and current (microvm.machineId, which writes
/etc/machine-id itself). tests/e2e/test_generation_trees.py does the same for every
checked-in tree.

In both, every VM's /etc/machine-id must be exactly one line, the fleet's id;
every microvm.* value the guest and host modules write must be declared in
microvm.nix's option data with a value of its type (the stand-in's
declarations are generated from that data, so evaluating is the check); and
runners and host toplevels must build. The fleet is built as a model (no
frontend); expected values are copied from it by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetc import checks
from fleetc.core.diagnostics import has_errors
from fleetc.emit import emit
from fleetc.core.model import (
    Fleet,
    Host,
    HostInterface,
    Interface,
    Network,
    Share,
    Vm,
    Volume,
)
from fleetc.core.placement import Layout

from tests.support import nixeval

LAN = Network("lan", ipv4="10.0.0.0/24", gateway4="10.0.0.1", bridge="br0")
FLEET = Fleet(
    name="gens",
    flake="git+https://git.example.org/org/fleet",
    networks=(LAN,),
    hosts=(
        Host(
            "alpha",
            "x86_64-linux",
            machine_id="5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a",
            uplink="eno1",
            interfaces=(HostInterface("lan", "10.0.0.2"),),
        ),
        Host(
            "beta",
            "x86_64-linux",
            machine_id="6f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5b",
            uplink="eno2",
            interfaces=(HostInterface("lan", "10.0.0.3"),),
        ),
    ),
    vms=(
        Vm(
            "web",
            "alpha",
            "x86_64-linux",
            machine_id="0123456789abcdef0123456789abcdef",
            hypervisor="cloud-hypervisor",
            vcpu=2,
            mem=1024,
            vsock_cid=10,
            interfaces=(
                Interface("lan", "10.0.0.10", None, "02:00:00:00:00:10", "vm-web"),
            ),
            shares=(Share("srv", "/srv/web", "/srv"),),
            volumes=(Volume("var.img", "/var", 4096),),
        ),
        Vm(
            "db",
            "alpha",
            "x86_64-linux",
            machine_id="fedcba9876543210fedcba9876543210",
            interfaces=(
                Interface("lan", "10.0.0.11", None, "02:00:00:00:00:11", "vm-db"),
            ),
        ),
        Vm(
            "cache",
            "beta",
            "x86_64-linux",
            machine_id="89abcdef0123456789abcdef01234567",
            interfaces=(
                Interface(
                    "lan",
                    "10.0.0.12",
                    None,
                    "02:00:00:00:00:12",
                    "vm-cache",
                    type="macvtap",
                    macvtap_link="eno2",
                    macvtap_mode="bridge",
                ),
            ),
        ),
    ),
)
MACHINE_IDS = {
    "web": "0123456789abcdef0123456789abcdef",
    "db": "fedcba9876543210fedcba9876543210",
    "cache": "89abcdef0123456789abcdef01234567",
}
HOSTS = {"alpha": ["db", "web"], "beta": ["cache"]}
MODULE_FILES = {
    **{vm: f"/vms/{vm}.nix" for vm in MACHINE_IDS},
    **{host: f"/hosts/{host}.nix" for host in HOSTS},
}
GENERATIONS = ["current", "legacy"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The emitted tree; the fleet passes fleetc's checks first."""
    assert not has_errors(checks.run(FLEET) + checks.complete(FLEET))
    out = tmp_path_factory.mktemp("fleet") / "generated"
    files = emit(FLEET, Layout("fleet.toml", "..", None))
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    nixeval.parse(out / name for name in files)
    return out


def inspection() -> str:
    """--apply on nixosConfigurations: machine-id text and the microvm.*
    values each configuration's own module defines."""
    files = " ".join(
        f"{name} = {json.dumps(file)};" for name, file in MODULE_FILES.items()
    )
    return f"""configurations: let
      inspect = {nixeval.INSPECT};
      report = name: file: let evaluated = configurations.${{name}}; in {{
        machineId = evaluated.config.environment.etc."machine-id".text or null;
        microvm = inspect.definedIn file [ "microvm" ] evaluated.options.microvm;
      }};
    in builtins.mapAttrs report {{ {files} }}"""


@pytest.fixture(scope="module", params=GENERATIONS)
def evaluated(request: pytest.FixtureRequest, tree: Path) -> tuple[str, dict]:
    inputs = nixeval.overrides(request.param)
    report = nixeval.eval_flake(tree, "nixosConfigurations", inputs, apply=inspection())
    return request.param, report


def test_machine_id_is_one_line_the_fleets_id(evaluated: tuple[str, dict]) -> None:
    _, report = evaluated
    for vm, machine_id in MACHINE_IDS.items():
        assert report[vm]["machineId"] == machine_id + "\n"


def defined(report: dict, name: str) -> dict:
    return {entry["path"]: entry["value"] for entry in report[name]["microvm"]}


def test_guest_microvm_values_are_declared_and_typed(
    evaluated: tuple[str, dict],
) -> None:
    generation, report = evaluated
    web = defined(report, "web")
    # Scalars come back once per definition; lists entry by entry.
    assert web.pop("microvm.hypervisor") == ["cloud-hypervisor"]
    assert (web.pop("microvm.vcpu"), web.pop("microvm.mem")) == ([2], [1024])
    assert web.pop("microvm.vsock.cid") == [10]
    assert web.pop("microvm.interfaces") == [
        {"type": "tap", "id": "vm-web", "mac": "02:00:00:00:00:10"}
    ]
    shares = web.pop("microvm.shares")
    assert [share["tag"] for share in shares] == ["ro-store", "journal", "srv"]
    # The store share is read-only where microvm.nix can say so (2025-09-17 on).
    assert shares[0].get("readOnly") == (True if generation == "current" else None)
    assert web.pop("microvm.volumes") == [
        {"image": "var.img", "mountPoint": "/var", "size": 4096}
    ]
    if generation == "current":
        assert web.pop("microvm.machineId") == ["01234567-89ab-cdef-0123-456789abcdef"]
    assert web == {}


def test_macvtap_interface_is_declared_and_typed(evaluated: tuple[str, dict]) -> None:
    _, report = evaluated
    assert defined(report, "cache")["microvm.interfaces"] == [
        {
            "type": "macvtap",
            "id": "vm-cache",
            "mac": "02:00:00:00:00:12",
            "macvtap": {"link": "eno2", "mode": "bridge"},
        }
    ]


def test_host_microvm_values_are_declared_and_typed(
    evaluated: tuple[str, dict],
) -> None:
    _, report = evaluated
    for host, vms in HOSTS.items():
        (declared,) = defined(report, host)["microvm.vms"]
        assert sorted(declared) == vms
        for settings in declared.values():
            assert settings["updateFlake"] == "git+https://git.example.org/org/fleet"
            # autostart = true is microvm.nix's default: not written (the
            # built hosts' autostart lists below still name every VM)
            assert "autostart" not in settings
            assert settings["flake"].startswith("/nix/store/")


RUNNERS = {vm: f"packages.x86_64-linux.{vm}" for vm in MACHINE_IDS}
TOPLEVELS = {
    host: f"nixosConfigurations.{host}.config.system.build.toplevel" for host in HOSTS
}


@pytest.fixture(scope="module", params=GENERATIONS)
def built(request: pytest.FixtureRequest, tree: Path) -> dict[str, Path]:
    """Every runner, one hydra job and every host toplevel, in one `nix build`."""
    attrs = [*RUNNERS.values(), "hydraJobs.web", *TOPLEVELS.values()]
    return nixeval.build_flake(tree, attrs, nixeval.overrides(request.param))


def test_hydra_job_is_the_runner(built: dict[str, Path]) -> None:
    assert built["hydraJobs.web"] == built[RUNNERS["web"]]


def test_built_guests_have_one_line_machine_ids(built: dict[str, Path]) -> None:
    runners = nixeval.manifests(built[attr] for attr in RUNNERS.values())
    guests = nixeval.manifests(Path(runner["toplevel"]) for runner in runners)
    texts = [guest["etc"]["machine-id"]["text"] for guest in guests]
    assert texts == [machine_id + "\n" for machine_id in MACHINE_IDS.values()]


def test_built_hosts_depend_on_their_own_vms_runners(built: dict[str, Path]) -> None:
    hosts = nixeval.manifests(built[attr] for attr in TOPLEVELS.values())
    for host, manifest in zip(HOSTS, hosts, strict=True):
        vms = manifest["microvm"]["vms"]
        assert manifest["microvm"]["autostart"] == HOSTS[host]
        runners = {vm: str(built[RUNNERS[vm]]) for vm in HOSTS[host]}
        assert {vm: vms[vm]["runner"] for vm in vms} == runners
