"""The emitter, checked through real Nix: files parse, values read back unchanged.

Models are built by hand here (no frontend, no checks). Expected values are written
out literally and were checked by hand against the contract and microvm.nix's docs.
"""

from __future__ import annotations

import difflib
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from fleetc.core import microvm_options
from fleetc.emit import emit
from fleetc.emit.flake_ref import update_flake
from fleetc.core.model import (
    FlakeInput,
    Fleet,
    Host,
    HostInterface,
    Interface,
    ModuleRef,
    Network,
    Share,
    Vm,
    Volume,
)
from fleetc.core.placement import Layout
from tests.support.nixeval import MODULE_MERGE

LAYOUT = Layout("fleet.toml", "..", "generated")
NASTY = "a${b}c''d\"e\\f\ng"
LIB = Path(__file__).parents[1] / "nix" / "nixpkgs" / "lib"
STUB_ARGS = '{ config = { networking.hostName = "stub"; }; lib = import LIB // { mkForce = value: value; }; inputs = { nixpkgs = "/nixpkgs"; microvm.nixosModules.host = { }; disko.nixosModules.disko = { }; }; self = { outPath = "self"; }; }'.replace(
    "LIB", str(LIB)
)
# `options` as the current microvm.nix generation has them, as far as
# lib/compat.nix looks: everything fleetc writes is declared.
CURRENT_OPTIONS = "{ microvm = { machineId = { }; vmHostPackages = { }; hypervisor.type.check = _: true; shares.type.getSubOptions = _: { readOnly = { }; }; interfaces.type.getSubOptions = _: { tap.vhost = { }; }; }; }"
OLDEST_OPTIONS = "{ microvm = { hypervisor.type.check = _: true; shares.type.getSubOptions = _: { }; interfaces.type.getSubOptions = _: { }; }; }"
# Modules as NixOS would take them, as one attribute set: applied to the
# arguments, the function modules they import (lib/compat.nix's) too, lib.mkMerge
# parts merged, lists concatenated in order; imported files (the fleet's own
# modules) are not read.
LOAD = """let
  args = ARGS;
  inherit (args) lib;
  apply = m: if builtins.isFunction m then m args else m;
MERGE
  load = m: let r = apply m; in builtins.foldl' merge
    (flat (builtins.removeAttrs r [ "imports" ]))
    (map load (builtins.filter builtins.isFunction (r.imports or [ ])));
in modules: builtins.foldl' merge { } (map load modules)""".replace(
    "MERGE\n", MODULE_MERGE
)


# ---- fleets -----------------------------------------------------------------


def lan(**changes) -> Network:
    network = Network(
        name="lan",
        ipv4="10.0.0.0/24",
        gateway4="10.0.0.1",
        ipv6="fd12:3456:789a::/64",
        gateway6="fd12:3456:789a::1",
        dns=("10.0.0.1",),
        bridge="br0",
    )
    return replace(network, **changes)


def sample_fleet() -> Fleet:
    """The contract's sample, section 1."""
    web = Vm(
        name="web",
        host="server1",
        system="x86_64-linux",
        machine_id="0123456789abcdef0123456789abcdef",
        hypervisor="cloud-hypervisor",
        vcpu=2,
        mem=1024,
        vsock_cid=10,
        modules=(ModuleRef("vms/web.nix"),),
        interfaces=(
            Interface(
                "lan", "10.0.0.10", "fd12:3456:789a::10", "02:00:00:00:00:10", "vm-web"
            ),
        ),
        shares=(Share("srv", "/srv/web", "/srv", socket="srv.sock"),),
        volumes=(Volume("var.img", "/var", 4096),),
    )
    server1 = Host(
        name="server1",
        system="x86_64-linux",
        machine_id="5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a",
        uplink="eno1",
        modules=(
            ModuleRef("hosts/server1.nix"),
            ModuleRef("inputs.disko.nixosModules.disko"),
        ),
        interfaces=(HostInterface("lan", ipv4="10.0.0.2"),),
    )
    return Fleet(
        name="example",
        domain="example.org",
        nixpkgs="github:NixOS/nixpkgs/nixos-25.05",
        flake="git+https://git.example.org/org/fleet",
        modules=(ModuleRef("modules/common.nix"),),
        vm_modules=(ModuleRef("modules/vm.nix"),),
        inputs=(
            FlakeInput("sops-nix", "github:Mic92/sops-nix", follows_nixpkgs=True),
            FlakeInput("disko", "github:nix-community/disko"),
        ),
        networks=(lan(vlan=42),),
        hosts=(server1,),
        vms=(web,),
    )


def small_vm(name: str, host: str, index: int, network: str = "lan", **changes) -> Vm:
    nic = Interface(
        network, f"10.0.0.{index}", False, f"02:00:00:00:00:{index:02x}", f"vm-{name}"
    )
    vm = Vm(
        name=name,
        host=host,
        system="x86_64-linux",
        machine_id=f"{index:032x}",
        interfaces=(nic,),
    )
    return replace(vm, **changes)


def journal_fleet() -> Fleet:
    """Two hosts, five VMs, journald sharing, no updateFlake."""
    vms = (
        small_vm("alpha", "hosta", 11),
        small_vm("bravo", "hostb", 12, system="aarch64-linux"),
        small_vm("charlie", "hosta", 13, autostart=False),
        small_vm("delta", "hostb", 14),
        small_vm("echo", "hosta", 15, mem=2048),
    )
    hosts = (
        Host(
            "hosta",
            "x86_64-linux",
            machine_id="a" * 32,
            uplink="eth0",
            interfaces=(
                HostInterface("lan", ipv4="10.0.0.2", ipv6="fd12:3456:789a::2"),
            ),
        ),
        Host("hostb", "aarch64-linux"),
    )
    return Fleet(name="journal", networks=(lan(),), hosts=hosts, vms=vms)


def routed_fleet() -> Fleet:
    network = lan(
        name="edge", mode="routed", bridge=None, gateway6="fe80::1", dns=("9.9.9.9",)
    )
    vm = small_vm("web", "gw", 5, network="edge")
    vm = replace(vm, interfaces=(replace(vm.interfaces[0], ipv6="fd12:3456:789a::5"),))
    return Fleet(
        name="routed",
        networks=(network,),
        hosts=(Host("gw", "x86_64-linux"),),
        vms=(vm,),
    )


def nasty_fleet() -> Fleet:
    vm = small_vm(
        "web",
        "host",
        10,
        shares=(Share(NASTY, "/srv/" + NASTY, "/mnt/" + NASTY, read_only=True),),
    )
    return Fleet(
        name=NASTY,
        domain=NASTY,
        state_dir='/var/lib/my vms/${x}"q%',
        microvm="github:x/y?" + NASTY,
        modules=(ModuleRef("my modules/common.nix"),),
        inputs=(FlakeInput("odd", "path:" + NASTY),),
        networks=(lan(),),
        hosts=(Host("host", "x86_64-linux"),),
        vms=(vm,),
    )


# ---- Nix helpers ------------------------------------------------------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    out = root / "generated"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    return out


def nix_parse(paths: list[Path]) -> None:
    done = subprocess.run(
        ["nix-instantiate", "--parse", *map(str, paths)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def nix_eval(expression: str):
    command = ["nix-instantiate", "--eval", "--strict", "--json", "-E", expression]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def module(out: Path, name: str, options: str = CURRENT_OPTIONS):
    """A generated module applied to stub arguments, as one attribute set; a
    VM's with lib/every-vm.nix before it, as outputs.nix lists them."""
    args = STUB_ARGS[:-1] + f"options = {options}; }}"
    every = out / "lib" / "every-vm.nix"
    files = [every] if name.startswith("vms/") and every.exists() else []
    listed = " ".join(f"(import {path})" for path in files + [out / name])
    return nix_eval(f"({LOAD.replace('ARGS', args)}) [ {listed} ]")


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> dict[str, Path]:
    fleets = {
        "sample": sample_fleet(),
        "journal": journal_fleet(),
        "routed": routed_fleet(),
        "nasty": nasty_fleet(),
    }
    layouts = {"nasty": Layout("odd\nname.toml", "..", None)}
    return {
        name: write_tree(
            tmp_path_factory.mktemp(name), emit(fleet, layouts.get(name, LAYOUT))
        )
        for name, fleet in fleets.items()
    }


# ---- every file parses ------------------------------------------------------


def test_every_generated_file_parses(trees):
    files = sorted(p for out in trees.values() for p in out.rglob("*.nix"))
    # each tree has flake.nix, outputs.nix, lib/roots.nix, lib/compat.nix and
    # lib/every-vm.nix
    assert len(files) == 8 + 13 + 8 + 8
    nix_parse(files)


def test_tree_layout_and_header(trees):
    names = sorted(
        p.relative_to(trees["journal"]).as_posix() for p in trees["journal"].rglob("*")
    )
    assert [n for n in names if n.endswith(".nix")] == [
        "flake.nix",
        "hosts/hosta.nix",
        "hosts/hostb.nix",
        "lib/addresses.nix",
        "lib/compat.nix",
        "lib/every-vm.nix",
        "lib/roots.nix",
        "outputs.nix",
        "vms/alpha.nix",
        "vms/bravo.nix",
        "vms/charlie.nix",
        "vms/delta.nix",
        "vms/echo.nix",
    ]
    for path in trees["journal"].rglob("*.nix"):
        first = path.read_text().splitlines()[0]
        # Both twins' names: fleet.toml and fleet.fleet write the same bytes.
        assert first.startswith(
            "# Generated by fleetc from fleet.toml or fleet.fleet. Do not edit"
        )
        assert path.read_text().endswith("}\n") or path.read_text().endswith("]\n")


# ---- values read back -------------------------------------------------------


def test_addresses_read_back(trees):
    got = nix_eval(f"import {trees['sample'] / 'lib/addresses.nix'}")
    assert got == {
        "machineId": {
            "server1": "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a",
            "web": "0123456789abcdef0123456789abcdef",
        },
        "ipv4": {"server1": {"lan": "10.0.0.2"}, "web": {"lan": "10.0.0.10"}},
        "ipv6": {"web": {"lan": "fd12:3456:789a::10"}},
        "mac": {"web": {"lan": "02:00:00:00:00:10"}},
    }


def test_flake_inputs_and_outputs(trees):
    out = trees["sample"]
    got = nix_eval(f"""
      let
        flake = import {out / 'flake.nix'};
        nixpkgs.lib = import {LIB} // {{
          nixosSystem = args: args // {{
            config.microvm.declaredRunner = "runner:" + baseNameOf (toString (lib.last args.modules));
          }};
        }};
        inherit (nixpkgs) lib;
        microvm.nixosModules = {{ host = "mv-host"; microvm = "mv-guest"; }};
        disko.nixosModules.disko = "disko-module";
        inputs = {{ self = outputs; inherit nixpkgs microvm disko; }};
        outputs = flake.outputs inputs;
        show = m: if builtins.isPath m then toString m else m;
        # a generated module's own imports follow it (functions: lib/compat.nix's)
        imported = m: let f = import m; r = if builtins.isFunction f then f {{ inherit inputs lib; self = outputs; config = {{ }}; }} else f; in builtins.filter (i: !builtins.isFunction i) (r.imports or [ ]);
        expand = m: [ (show m) ] ++ (if builtins.isPath m then map show (imported m) else [ ]);
      in {{
        inherit (flake) description inputs;
        configurations = builtins.mapAttrs (n: c: {{
          inherit (c) system;
          modules = builtins.concatMap expand c.modules;
          special = builtins.attrNames c.specialArgs;
        }}) outputs.nixosConfigurations;
        inherit (outputs) packages hydraJobs;
        addresses = builtins.attrNames outputs.lib.addresses;
      }}""")
    root = out.parent
    assert (
        got["description"] == "example: NixOS hosts and MicroVMs, generated by fleetc"
    )
    assert got["inputs"] == {
        "nixpkgs": {"url": "github:NixOS/nixpkgs/nixos-25.05"},
        "microvm": {
            "url": "github:microvm-nix/microvm.nix",
            "inputs": {"nixpkgs": {"follows": "nixpkgs"}},
        },
        "sops-nix": {
            "url": "github:Mic92/sops-nix",
            "inputs": {"nixpkgs": {"follows": "nixpkgs"}},
        },
        "disko": {"url": "github:nix-community/disko"},
    }
    assert got["configurations"] == {
        "server1": {
            "system": "x86_64-linux",
            "modules": [
                f"{out}/hosts/server1.nix",
                "mv-host",
                f"{root}/modules/common.nix",
                f"{root}/hosts/server1.nix",
                "disko-module",
            ],
            "special": ["fleetRoot", "inputs", "repoRoot", "self"],
        },
        "web": {
            "system": "x86_64-linux",
            "modules": [
                "mv-guest",
                f"{out}/lib/every-vm.nix",
                f"{out}/vms/web.nix",
                f"{root}/modules/common.nix",
                f"{root}/modules/vm.nix",
                f"{root}/vms/web.nix",
            ],
            "special": ["fleetRoot", "inputs", "repoRoot", "self"],
        },
    }
    assert got["packages"] == {"x86_64-linux": {"web": "runner:web.nix"}}
    assert got["hydraJobs"] == {"web": "runner:web.nix"}
    assert got["addresses"] == ["ipv4", "ipv6", "mac", "machineId"]


def test_packages_grouped_by_system(trees):
    got = nix_eval(f"""
      let
        flake = import {trees['journal'] / 'flake.nix'};
        nixpkgs.lib = import {LIB} // {{
          nixosSystem = args: {{ config.microvm.declaredRunner = args.system; }};
        }};
        outputs = flake.outputs {{ self = outputs; inherit nixpkgs; microvm.nixosModules = {{ }}; }};
      in outputs.packages""")
    assert got == {
        "aarch64-linux": {"bravo": "aarch64-linux"},
        "x86_64-linux": {
            "alpha": "x86_64-linux",
            "charlie": "x86_64-linux",
            "delta": "x86_64-linux",
            "echo": "x86_64-linux",
        },
    }


def test_host_tmpfiles_rules_cover_only_its_own_vms(trees):
    rules = {
        h: module(trees["journal"], f"hosts/{h}.nix")["systemd"]["tmpfiles"]["rules"]
        for h in ("hosta", "hostb")
    }
    assert rules["hosta"] == [
        "d /var/lib/microvms/alpha/journal 0755 microvm kvm - -",
        "L+ /var/log/journal/0000000000000000000000000000000b - - - - /var/lib/microvms/alpha/journal/0000000000000000000000000000000b",
        "d /var/lib/microvms/charlie/journal 0755 microvm kvm - -",
        "L+ /var/log/journal/0000000000000000000000000000000d - - - - /var/lib/microvms/charlie/journal/0000000000000000000000000000000d",
        "d /var/lib/microvms/echo/journal 0755 microvm kvm - -",
        "L+ /var/log/journal/0000000000000000000000000000000f - - - - /var/lib/microvms/echo/journal/0000000000000000000000000000000f",
    ]
    assert rules["hostb"] == [
        "d /var/lib/microvms/bravo/journal 0755 microvm kvm - -",
        "L+ /var/log/journal/0000000000000000000000000000000c - - - - /var/lib/microvms/bravo/journal/0000000000000000000000000000000c",
        "d /var/lib/microvms/delta/journal 0755 microvm kvm - -",
        "L+ /var/log/journal/0000000000000000000000000000000e - - - - /var/lib/microvms/delta/journal/0000000000000000000000000000000e",
    ]


def test_host_declares_only_its_vms_with_autostart_flags(trees):
    host = module(trees["journal"], "hosts/hosta.nix")
    # autostart = true is microvm.nix's default (2025-07 and 2026-08)
    assert host["microvm"]["vms"] == {
        "alpha": {"flake": "self"},
        "charlie": {"flake": "self", "autostart": False},
        "echo": {"flake": "self"},
    }
    assert "autostart" not in host["microvm"]
    assert host["networking"] == {"hostName": "hosta", "useNetworkd": True}


def test_update_flake_keeps_the_d_rule_and_installs_until_current_exists(trees):
    """microvm.nix would skip installing a VM whose state dir exists; the `d` rule
    creates it, so the install condition is moved to the `current` link."""
    host = module(trees["sample"], "hosts/server1.nix")
    assert (
        host["microvm"]["vms"]["web"]["updateFlake"]
        == "git+https://git.example.org/org/fleet?dir=generated"
    )
    unit = host["systemd"]["services"]["install-microvm-web"]["unitConfig"]
    assert unit == {"ConditionPathExists": "!/var/lib/microvms/web/current"}
    assert host["systemd"]["tmpfiles"]["rules"] == [
        "d /var/lib/microvms/web/journal 0755 microvm kvm - -",
        "L+ /var/log/journal/0123456789abcdef0123456789abcdef - - - - /var/lib/microvms/web/journal/0123456789abcdef0123456789abcdef",
    ]


@pytest.mark.parametrize(
    "flake, in_repo, expected",
    [
        ("git+https://h/r", "generated", "git+https://h/r?dir=generated"),
        (
            "git+https://h/r?ref=main",
            "out/fleet",
            "git+https://h/r?ref=main&dir=out/fleet",
        ),
        ("git+https://h/r?", "gen", "git+https://h/r?dir=gen"),
        ("git+https://h/r?dir=x", "gen", "git+https://h/r?dir=x"),
        ("git+https://h/r", "my gen", "git+https://h/r?dir=my%20gen"),
        ("git+https://h/r#frag", "gen", "git+https://h/r?dir=gen#frag"),
        ("git+https://h/r", None, "git+https://h/r"),
    ],
)
def test_update_flake_adds_dir(flake, in_repo, expected):
    assert update_flake(flake, in_repo) == expected


def test_host_bridge_units(trees):
    network = module(trees["journal"], "hosts/hosta.nix")["systemd"]["network"]
    assert network["netdevs"] == {
        "20-br0": {"netdevConfig": {"Name": "br0", "Kind": "bridge"}}
    }
    assert network["networks"] == {
        "20-br0": {
            "matchConfig": {"Name": "br0"},
            "address": ["10.0.0.2/24", "fd12:3456:789a::2/64"],
            "gateway": ["10.0.0.1", "fd12:3456:789a::1"],
            "dns": ["10.0.0.1"],
            "networkConfig": {"DHCP": "no"},
            "linkConfig": {"RequiredForOnline": "routable"},
        },
        "30-br0-ports": {
            "matchConfig": {"Name": ["eth0", "vm-alpha", "vm-charlie", "vm-echo"]},
            "networkConfig": {"Bridge": "br0"},
        },
    }
    hostb = module(trees["journal"], "hosts/hostb.nix")["systemd"]["network"][
        "networks"
    ]
    assert hostb["30-br0-ports"]["matchConfig"]["Name"] == ["vm-bravo", "vm-delta"]
    assert hostb["20-br0"] == {
        "matchConfig": {"Name": "br0"},
        "linkConfig": {"RequiredForOnline": "no"},
    }


def test_host_vlan_goes_on_the_bridge(trees):
    network = module(trees["sample"], "hosts/server1.nix")["systemd"]["network"]
    assert network["netdevs"]["20-eno1.42"] == {
        "netdevConfig": {"Name": "eno1.42", "Kind": "vlan"},
        "vlanConfig": {"Id": 42},
    }
    assert network["networks"]["10-eno1"] == {
        "matchConfig": {"Name": "eno1"},
        "networkConfig": {"VLAN": ["eno1.42"]},
    }
    assert network["networks"]["30-br0-ports"]["matchConfig"]["Name"] == [
        "eno1.42",
        "vm-web",
    ]


def test_routed_host_and_guest(trees):
    host = module(trees["routed"], "hosts/gw.nix")["systemd"]["network"]
    assert "netdevs" not in host
    assert host["networks"] == {
        "40-vm-web": {
            "matchConfig": {"Name": "vm-web"},
            "address": ["10.0.0.1/32", "fe80::1/128"],
            "routes": [
                {"Destination": "10.0.0.5/32"},
                {"Destination": "fd12:3456:789a::5/128"},
            ],
            "networkConfig": {"IPv4Forwarding": True, "IPv6Forwarding": True},
        }
    }
    guest = module(trees["routed"], "vms/web.nix")["systemd"]["network"]["networks"]
    assert guest == {
        "10-edge": {
            "matchConfig": {"MACAddress": "02:00:00:00:00:05"},
            "address": ["10.0.0.5/32", "fd12:3456:789a::5/128"],
            "routes": [
                {"Destination": "10.0.0.1/32", "GatewayOnLink": True},
                {
                    "Destination": "0.0.0.0/0",
                    "Gateway": "10.0.0.1",
                    "GatewayOnLink": True,
                },
                {"Destination": "fe80::1/128", "GatewayOnLink": True},
                {"Destination": "::/0", "Gateway": "fe80::1", "GatewayOnLink": True},
            ],
            "networkConfig": {"DNS": ["9.9.9.9"]},
        }
    }


def test_guest_module(trees):
    body = module(trees["sample"], "vms/web.nix")
    assert body["networking"] == {
        "hostName": "web",
        "domain": "example.org",
        "useNetworkd": True,
    }
    microvm = body["microvm"]
    assert (microvm["hypervisor"], microvm["vcpu"], microvm["mem"]) == (
        "cloud-hypervisor",
        2,
        1024,
    )
    assert microvm["interfaces"] == [
        {"type": "tap", "id": "vm-web", "mac": "02:00:00:00:00:10"}
    ]
    assert microvm["shares"] == [
        {
            "tag": "ro-store",
            "source": "/nix/store",
            "mountPoint": "/nix/.ro-store",
            "proto": "virtiofs",
            "readOnly": True,
        },
        {
            "tag": "journal",
            "source": "/var/lib/microvms/web/journal",
            "mountPoint": "/var/log/journal",
            "proto": "virtiofs",
            "socket": "journal.sock",
        },
        {
            "tag": "srv",
            "source": "/srv/web",
            "mountPoint": "/srv",
            "proto": "virtiofs",
            "socket": "srv.sock",
        },
    ]
    assert microvm["volumes"] == [
        {"image": "var.img", "mountPoint": "/var", "size": 4096}
    ]
    assert microvm["vsock"] == {"cid": 10}
    assert body["nix"] == {"nixPath": ["nixpkgs=/nixpkgs"]}
    assert body["systemd"]["network"]["networks"]["10-lan"] == {
        "matchConfig": {"MACAddress": "02:00:00:00:00:10"},
        "address": ["10.0.0.10/24", "fd12:3456:789a::10/64"],
        "gateway": ["10.0.0.1", "fd12:3456:789a::1"],
        "dns": ["10.0.0.1"],
        "networkConfig": {"DHCP": "no"},
    }
    assert microvm["machineId"] == "01234567-89ab-cdef-0123-456789abcdef"
    assert "environment" not in body and body["assertions"] == []


def test_exactly_one_machine_id_per_microvm_generation(trees):
    path = "vms/web.nix"
    newer = module(trees["sample"], path)
    older = module(trees["sample"], path, OLDEST_OPTIONS)
    assert newer["microvm"]["machineId"] == "01234567-89ab-cdef-0123-456789abcdef"
    assert "environment" not in newer
    assert "machineId" not in older["microvm"]
    # the store share loses readOnly (the store is read-only), and nothing fails
    assert "readOnly" not in older["microvm"]["shares"][0]
    assert older["assertions"] == []
    assert {"environment": older["environment"]} == {
        "environment": {
            "etc": {
                "machine-id": {
                    "mode": "0644",
                    "text": "0123456789abcdef0123456789abcdef\n",
                }
            }
        }
    }


def test_store_and_nix_path_choices():
    fleet = replace(journal_fleet(), store="9p", nix_path="none", journal=False)
    files = emit(fleet, LAYOUT)
    text = files["lib/every-vm.nix"] + files["vms/alpha.nix"]
    assert 'proto = "9p";' in text and "nixPath" not in text and "journal" not in text
    disk = emit(replace(fleet, store="disk"), LAYOUT)
    assert "ro-store" not in str(disk) and "microvm.shares" not in disk["vms/alpha.nix"]
    assert "systemd.tmpfiles" not in emit(fleet, LAYOUT)["hosts/hosta.nix"]
    channel = emit(replace(fleet, nix_path="channel"), LAYOUT)["lib/every-vm.nix"]
    assert 'nix.nixPath = [ "nixpkgs=${builtins.storePath <nixpkgs>}" ];' in channel


def test_share_read_only_is_a_microvm_option():
    declaration = microvm_options.submodule_option(
        microvm_options.guest_option("shares"), "readOnly"
    )
    assert declaration["type"] == {"name": "bool"}


# ---- escaping ---------------------------------------------------------------


def test_nasty_strings_come_back_unchanged(trees):
    out = trees["nasty"]
    body = module(out, "vms/web.nix")
    assert body["networking"]["domain"] == NASTY
    assert body["microvm"]["shares"][2] == {
        "tag": NASTY,
        "source": "/srv/" + NASTY,
        "mountPoint": "/mnt/" + NASTY,
        "proto": "virtiofs",
        "readOnly": True,
    }
    assert (
        body["microvm"]["shares"][1]["source"] == '/var/lib/my vms/${x}"q%/web/journal'
    )
    host = module(out, "hosts/host.nix")
    assert host["networking"]["domain"] == NASTY
    assert host["microvm"]["stateDir"] == '/var/lib/my vms/${x}"q%'
    assert host["systemd"]["tmpfiles"]["rules"] == [
        'd "/var/lib/my vms/${x}\\"q%%/web/journal" 0755 microvm kvm - -',
        # the last field is the rest of the line, as written (no quotes)
        'L+ /var/log/journal/0000000000000000000000000000000a - - - - /var/lib/my vms/${x}"q%%/web/journal/0000000000000000000000000000000a',
    ]
    flake = nix_eval(
        f"let f = import {out / 'flake.nix'}; in {{ inherit (f) description inputs; }}"
    )
    assert (
        flake["description"]
        == NASTY + ": NixOS hosts and MicroVMs, generated by fleetc"
    )
    assert flake["inputs"]["microvm"]["url"] == "github:x/y?" + NASTY
    assert flake["inputs"]["odd"]["url"] == "path:" + NASTY


def test_nasty_paths_and_header(trees):
    out = trees["nasty"]
    modules = nix_eval(f"""
      let
        flake = import {out / 'flake.nix'};
        nixpkgs.lib = import {LIB} // {{
          nixosSystem = args: {{ config.microvm.declaredRunner = null; }} // args;
        }};
        outputs = flake.outputs {{ self = outputs; inherit nixpkgs; microvm.nixosModules = {{ }}; }};
        web = builtins.elemAt outputs.nixosConfigurations.web.modules 2;
        imported = (import web).imports;
      in map toString ([ web ] ++ builtins.filter builtins.isPath imported)""")
    assert modules == [f"{out}/vms/web.nix", f"{out.parent}/my modules/common.nix"]
    text = (out / "vms/web.nix").read_text()
    assert text.splitlines()[:2] == [
        "# Generated by fleetc from odd\\nname.toml or odd\\nname.fleet. Do not edit: change the fleet file and run `fleetc generate`.",
        "import ../lib/compat.nix {",
    ]


# ---- determinism and locality -----------------------------------------------


def test_emitting_twice_gives_identical_bytes():
    assert emit(journal_fleet(), LAYOUT) == emit(journal_fleet(), LAYOUT)
    assert emit(sample_fleet(), LAYOUT) == emit(sample_fleet(), LAYOUT)


def test_changing_one_vm_memory_changes_one_line_of_one_file():
    fleet = journal_fleet()
    # from 1024 (512, microvm.nix's default, is not written)
    fleet = replace(fleet, vms=tuple(replace(vm, mem=1024) for vm in fleet.vms))
    vms = tuple(
        replace(vm, mem=4096) if vm.name == "charlie" else vm for vm in fleet.vms
    )
    before, after = emit(fleet, LAYOUT), emit(replace(fleet, vms=vms), LAYOUT)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["vms/charlie.nix"]
    diff = difflib.unified_diff(
        before[changed[0]].splitlines(),
        after[changed[0]].splitlines(),
        n=0,
        lineterm="",
    )
    edits = [
        line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert edits == ["-  microvm.mem = 1024;", "+  microvm.mem = 4096;"]


def test_vm_order_in_the_model_does_not_matter():
    fleet = journal_fleet()
    shuffled = replace(
        fleet, vms=tuple(reversed(fleet.vms)), hosts=tuple(reversed(fleet.hosts))
    )
    assert emit(shuffled, LAYOUT) == emit(fleet, LAYOUT)
