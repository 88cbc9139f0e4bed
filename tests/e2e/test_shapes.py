"""The shapes real fleets have (issue 10, item 3), end to end: both input
formats, `--format json`, and the generated tree evaluated against the
stand-ins of both microvm.nix generations.

samples/shapes holds one of each: a bond carrying a VLAN, IPv4 via a
link-local IPv6 gateway (RFC 8950), PCI and USB passthrough, per-VM meta read
by a module, an overlay, a `flake = false` input, nested follows and a host
without VMs. Expected values were written from the fleet file by hand.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.convert import to_fleet, to_toml
from fleetc.frontend import load
from fleetc.core.source import Source

from tests.support import nixeval
from tests.support.faq import compile_dir, staged, write_fleet
from tests.support.paths import SAMPLES

SAMPLE = SAMPLES / "shapes"
BANNER = "Welcome to AS64500\n"
GENERATIONS = ["current", "legacy"]


def fleetc(cwd: Path, *args: str) -> tuple[int, str, str]:
    command = [sys.executable, "-m", "fleetc", *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


# -- the sample against the stand-ins ------------------------------------------


@pytest.fixture(scope="module")
def sample_flake(tmp_path_factory) -> Path:
    return staged(SAMPLE, tmp_path_factory.mktemp("shapes"))


@pytest.fixture(scope="module")
def branding(tmp_path_factory) -> Path:
    """The `flake = false` input: a plain directory, as Nix fetches it."""
    tree = tmp_path_factory.mktemp("branding")
    (tree / "banner").write_text(BANNER)
    return tree


INSPECT = """configurations: let
  etc = c: builtins.mapAttrs (_: f: f.text) c.config.environment.etc;
  network = c: c.config.systemd.network;
in {
  router = {
    etc = etc configurations.router;
    devices = configurations.router.config.microvm.devices;
    network = (network configurations.router).networks;
  };
  console.devices = configurations.console.config.microvm.devices;
  edge1 = {
    netdevs = (network configurations.edge1).netdevs;
    networks = (network configurations.edge1).networks;
    vms = builtins.attrNames configurations.edge1.config.microvm.vms;
  };
  monitor = {
    etc = etc configurations.monitor;
    microvm = configurations.monitor.options ? microvm;
  };
}"""


@pytest.fixture(scope="module", params=GENERATIONS)
def evaluated(request, sample_flake: Path, branding: Path) -> dict:
    inputs = nixeval.overrides(request.param)
    inputs |= {"sops-nix": nixeval.NIX_DIR / "sops-nix", "branding": branding}
    return nixeval.eval_flake(sample_flake, "nixosConfigurations", inputs, INSPECT)


def test_sample_tree_is_checked_in_and_twins_agree():
    assert (SAMPLE / "fleet.fleet").is_file()
    code, _, stderr = fleetc(SAMPLE, "generate", "fleet.fleet", "--check")
    assert code == 0, stderr


def test_overlay_non_flake_input_and_fleet_root_reach_every_module(evaluated):
    """modules/common.nix: pkgs.fleetBanner exists only through the overlay,
    the banner is a file of the non-flake input, the notice sits beside the
    fleet file (fleetRoot)."""
    for name in ("router", "monitor"):
        etc = evaluated[name]["etc"]
        assert etc["fleet-banner"] == f"=== {BANNER} ===\n"
        assert etc["fleet-notice"] == (SAMPLE / "notice").read_text()


def test_vm_module_reads_its_meta_from_lib(evaluated):
    assert evaluated["router"]["etc"]["fleet-role"] == "route-server"


def test_devices_are_passed_through_as_written(evaluated):
    assert [(d["bus"], d["path"]) for d in evaluated["router"]["devices"]] == [
        ("pci", "0000:03:00.0")
    ]
    assert [(d["bus"], d["path"]) for d in evaluated["console"]["devices"]] == [
        ("usb", "vendorid=0x0403,productid=0x6001")
    ]


def test_ipv4_default_route_goes_via_the_link_local_gateway(evaluated):
    peering = evaluated["router"]["network"]["10-peering"]
    assert peering["routes"] == [{"Destination": "0.0.0.0/0", "Gateway": "fe80::1"}]
    # Only IPv6 in the Gateway= list: it would otherwise be an IPv6 route.
    assert peering["gateway"] == ["fe80::1"]
    assert peering["address"] == ["192.0.2.10/24", "2001:db8:7::10/64"]


def test_bond_enslaves_its_ports_and_carries_vlan_and_bridge(evaluated):
    edge = evaluated["edge1"]
    assert edge["netdevs"]["10-bond0"] == {
        "netdevConfig": {"Name": "bond0", "Kind": "bond"},
        "bondConfig": {
            "Mode": "802.3ad",
            "MIIMonitorSec": "100ms",
            "LACPTransmitRate": "fast",
            "TransmitHashPolicy": "layer3+4",
        },
    }
    for port in ("eno1", "eno2"):
        assert edge["networks"][f"05-{port}"] == {
            "matchConfig": {"Name": port},
            "networkConfig": {"Bond": "bond0"},
        }
    assert edge["networks"]["10-bond0"] == {
        "matchConfig": {"Name": "bond0"},
        "networkConfig": {"VLAN": ["bond0.600"], "Bridge": "br-mgmt"},
    }
    assert edge["netdevs"]["20-bond0.600"]["vlanConfig"] == {"Id": 600}
    assert edge["vms"] == ["console", "router"]


def test_host_without_vms_has_no_microvm_host_module(evaluated):
    assert evaluated["monitor"]["microvm"] is False


def test_sample_flake_declares_non_flake_input_and_nested_follows():
    flake = SAMPLE / "generated" / "flake.nix"
    declared = nixeval.eval_json(f"(import {flake}).inputs")
    assert declared["branding"] == {
        "url": "git+https://git.example.net/ixp/branding",
        "flake": False,
    }
    assert declared["sops-nix"]["inputs"] == {
        "nixpkgs": {"follows": "nixpkgs"},
        "nixpkgs-stable": {"follows": "nixpkgs"},
    }


# -- repoRoot, whatever `self` is ------------------------------------------------

ROOT_MODULE = """{ repoRoot, fleetRoot, self, ... }:
{
  environment.etc.motd.text = builtins.readFile (repoRoot + "/motd.txt");
  environment.etc.notice.text = builtins.readFile (fleetRoot + "/notice");
  environment.etc.self-sees-root.text =
    if builtins.pathExists (self + "/motd.txt") then "yes" else "no";
}
"""
ROOT_FLEET = """\
[fleet]
name = "roots"
modules = ["modules/root.nix"]

[hosts.h]
"""


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    """A git repository with the fleet in infra/ and a file at its root."""
    repo = tmp_path_factory.mktemp("repo")
    repo.chmod(0o755)  # pytest makes it 0700: build would stage none of it (F050)
    (repo / "motd.txt").write_text("from the repository root\n")
    (repo / "infra" / "modules").mkdir(parents=True)
    (repo / "infra" / "fleet.toml").write_text(ROOT_FLEET)
    (repo / "infra" / "notice").write_text("beside the fleet file\n")
    (repo / "infra" / "modules" / "root.nix").write_text(ROOT_MODULE)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    assert fleetc(repo / "infra", "generate", "fleet.toml")[0] == 0
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "fleet"], check=True)
    return repo


def etc_of_h(flake_ref: str) -> dict:
    command = ["nix", "eval", "--json"]
    command += nixeval.flake_options(nixeval.overrides("current"))
    command += ["--apply", "builtins.mapAttrs (_: f: f.text)"]
    found = nixeval.run(
        [*command, f"{flake_ref}#nixosConfigurations.h.config.environment.etc"]
    )
    return json.loads(found)


EXPECTED_ETC = {
    "motd": "from the repository root\n",
    "notice": "beside the fleet file\n",
}


def test_repo_root_from_a_git_flake_with_dir(repository: Path):
    roots = (repository / "infra" / "generated" / "lib" / "roots.nix").read_text()
    assert "repoRoot = ../../../.;" in roots and "fleetRoot = ../../.;" in roots
    etc = etc_of_h(f"git+file://{repository}?dir=infra/generated")
    # Nix 2.8 still makes `self` the repository here (newer Nix: infra/generated
    # only); repoRoot is the same path either way.
    assert {name: etc[name] for name in EXPECTED_ETC} == EXPECTED_ETC


def test_repo_root_from_a_path_flake_as_fleetc_build_stages_it(repository, tmp_path):
    fleet_dir = repository / "infra"
    flake = staged(fleet_dir, tmp_path / "staged")
    etc = etc_of_h(f"path:{flake}")
    assert {name: etc[name] for name in EXPECTED_ETC} == EXPECTED_ETC
    # Here `self` is the forwarding flake: `self + "/motd.txt"` is not there.
    assert etc["self-sees-root"] == "no"


# -- both input formats ------------------------------------------------------------

EVERY_KEY = """\
[fleet]
name = "t"
overlays = ["inputs.tools.overlays.default", "overlays/x.nix"]

[fleet.inputs.tools]
url = "github:example/tools"
follows = { nixpkgs = "nixpkgs", "flake utils" = "utils/inner" }

[fleet.inputs.utils]
url = "github:example/utils"

[fleet.inputs.blobs]
url = "git+https://example.org/blobs"
flake = false

[networks.lan]
ipv4 = "192.0.2.0/24"
gateway4 = "fe80::1"

[hosts.h]
bond = { name = "bond0", ports = ["eno1", "eno2"], mode = "active-backup" }

[hosts.g]
microvm_host = true

[vms.a]
host = "h"
devices = [{ bus = "pci", path = "0000:01:00.0" }]

[vms.a.meta]
role = "web"
port = 8080
quoted = "8080"
yes = true
"needs quotes" = "a b"
bracket = "["
empty = []
mixed = ["x", 2, false, "true"]
"""


def test_every_new_key_converts_both_ways_to_an_equal_model():
    fleet, problems = load(Source("fleet.toml", EVERY_KEY))
    assert problems == [] and fleet is not None
    as_dsl = to_fleet(fleet)
    from_dsl, problems = load(Source("fleet.fleet", as_dsl))
    assert problems == [], as_dsl
    assert from_dsl == fleet
    again, problems = load(Source("fleet.toml", to_toml(from_dsl)))
    assert problems == [] and again == fleet
    meta = dict(fleet.vms[0].meta)
    assert (meta["port"], meta["quoted"], meta["mixed"]) == (
        8080,
        "8080",
        ("x", 2, False, "true"),
    )
    assert fleet.hosts[0].bond.ports == ("eno1", "eno2")
    assert dict(fleet.inputs[0].follows) == {
        "nixpkgs": "nixpkgs",
        "flake utils": "utils/inner",
    }


def test_meta_is_escaped_into_lib_meta(tmp_path):
    text = EVERY_KEY.replace('role = "web"', 'role = "${builtins.abort \\"x\\"}"')
    (tmp_path / "fleet.toml").write_text(text.replace(', "overlays/x.nix"', ""))
    code, _, stderr = fleetc(tmp_path, "generate", "fleet.toml")
    assert code == 0, stderr
    meta = nixeval.eval_json(f"import {tmp_path}/generated/lib/meta.nix")
    assert meta["a"]["role"] == '${builtins.abort "x"}'
    assert meta["a"]["needs quotes"] == "a b"
    assert meta["a"]["mixed"] == ["x", 2, False, "true"]


BAD_META_TOML = """\
[fleet]
name = "t"

[hosts.h]

[vms.a]
host = "h"
meta = { ratio = 0.5, nested = { x = 1 }, list = [[1]] }
"""
BAD_META_DSL = """\
fleet t
host h {
  vm a {
    meta tags a b
    meta ok [ a b ]
  }
}
"""


def test_meta_values_of_other_types_are_located_errors(tmp_path):
    (tmp_path / "fleet.toml").write_text(BAD_META_TOML)
    code, out, _ = fleetc(tmp_path, "check", "fleet.toml", "--format", "json")
    found = [
        (d["code"], d["location"]["line"], d["location"]["column"])
        for d in json.loads(out)["diagnostics"]
    ]
    # meta = { ratio = 0.5, ...: column len("meta = { ratio = ") + 1 = 18.
    assert (code, found) == (1, [("F003", 8, 18)])


def test_dsl_meta_list_needs_brackets(tmp_path):
    (tmp_path / "fleet.fleet").write_text(BAD_META_DSL)
    code, out, _ = fleetc(tmp_path, "check", "fleet.fleet", "--format", "json")
    found = [
        (d["code"], d["location"]["line"], d["location"]["column"])
        for d in json.loads(out)["diagnostics"]
    ]
    # `    meta tags a b`: the second value, `b`, at column 17.
    assert (code, found) == (1, [("F001", 4, 17)])


BROKEN_DSL = """\
fleet t {
  input tools {
    url github:example/tools
    follows nixpkgs nixpkgs
    follows utils nope
  }
  input blobs {
    url git+https://example.org/blobs
    flake false
    follows-nixpkgs true
  }
}
host h {
  bond bond0 {
    ports eno1 eno1
  }
  vm a {
    device pci 0000:01:00.0
  }
  vm b {
    device pci 0000:01:00.0
  }
}
"""


def test_dsl_shapes_problems_in_json(tmp_path):
    (tmp_path / "fleet.fleet").write_text(BROKEN_DSL)
    code, out, _ = fleetc(tmp_path, "check", "fleet.fleet", "--format", "json")
    document = json.loads(out)
    found = sorted(
        (d["code"], d["location"]["line"], d["location"]["column"])
        for d in document["diagnostics"]
    )
    # Counted by hand: `follows utils nope`'s target at column 19,
    # `follows-nixpkgs true`'s value at 21,
    # the second `eno1` at 16, vm b's `device` statement at 5.
    assert (code, found) == (
        1,
        [("F026", 5, 19), ("F027", 10, 21), ("F214", 15, 16), ("F631", 21, 5)],
    )


def test_microvm_host_true_keeps_the_module_on_a_host_without_vms(tmp_path):
    shutil.copy(SAMPLE / "fleet.toml", tmp_path / "fleet.toml")
    for name in ("modules", "overlays"):
        shutil.copytree(SAMPLE / name, tmp_path / name)
    text = (tmp_path / "fleet.toml").read_text()
    marker = 'uplink = "enp1s0"\n'
    (tmp_path / "fleet.toml").write_text(
        text.replace(marker, marker + "microvm_host = true\n")
    )
    host = compile_dir(tmp_path).files["hosts/monitor.nix"]
    assert "imports = [" in host and "inputs.microvm.nixosModules.host" in host
    assert "microvm.vms = { };" in host


def test_overlay_files_follow_the_module_file_rules(tmp_path):
    (tmp_path / "fleet.toml").write_text(
        '[fleet]\nname = "t"\noverlays = ["/etc/x.nix", "overlays/gone.nix"]\n'
    )
    code, out, _ = fleetc(tmp_path, "check", "fleet.toml", "--format", "json")
    found = [
        (d["code"], d["location"]["line"], d["location"]["column"])
        for d in json.loads(out)["diagnostics"]
    ]
    # overlays = ["/etc/x.nix", "overlays/gone.nix"]: columns 13 and 27.
    assert (code, found) == (1, [("F020", 3, 13), ("F022", 3, 27)])


ROUTED = """\
[fleet]
name = "t"

[networks.edge]
mode = "routed"
ipv4 = "192.0.2.0/24"
gateway4 = "fe80::1"
ipv6 = "2001:db8:7::/64"
gateway6 = "fe80::1"

[hosts.h]

[vms.a]
host = "h"
interfaces = [{ network = "edge", ipv4 = "192.0.2.10", ipv6 = "2001:db8:7::10" }]
"""


def test_routed_network_with_one_link_local_gateway_for_both_families(tmp_path):
    """The host answers as fe80::1 on the tap once, and the guest routes both
    default routes through it, with one host route to it."""
    fleet_dir = write_fleet(tmp_path, ROUTED)
    files = compile_dir(fleet_dir).files
    for name, text in files.items():
        (tmp_path / "out" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "out" / name).write_text(text)
    host = nixeval.eval_json(
        f"(import {tmp_path}/out/hosts/h.nix {{ config = {{ }}; lib = {{ }};"
        " inputs = { }; self = { }; }).systemd.network.networks"
    )
    assert host["40-vm-a"]["address"] == ["fe80::1/128"]
    assert host["40-vm-a"]["routes"] == [
        {"Destination": "192.0.2.10/32"},
        {"Destination": "2001:db8:7::10/128"},
    ]
    guest = files["vms/a.nix"]
    unit = guest[guest.index('networks."10-edge"') :]
    routes = nixeval.eval_json(
        "[" + unit[unit.index("routes = [") + 10 :].split("];")[0] + "]"
    )
    assert routes == [
        {"Destination": "fe80::1/128", "GatewayOnLink": True},
        {"Destination": "0.0.0.0/0", "Gateway": "fe80::1", "GatewayOnLink": True},
        {"Destination": "::/0", "Gateway": "fe80::1", "GatewayOnLink": True},
    ]
