"""Deploys with deploy-rs or colmena (`[fleet] deploy_tool`, `[hosts.<h>] target`).

The deploy outputs are evaluated and built with real Nix 2.8 against the
smallest honest stand-ins of both tools' libraries (tests/nix/deploy-rs:
deploy-rs's flake.nix at d5eff7f, `lib.<system>.activate` and `deployChecks`,
with interface.json's rules in lib/interface.nix; tests/nix/colmena:
colmena's src/nix/hive/eval.nix and options.nix at 5bf4ce6, `lib.makeHive`),
with both microvm.nix generations. What is checked is what the real tools
read: deploy-rs's node shape (`hostname`, `sshUser`, `sshOpts`,
`profiles.system.{user,path}`) as its README and interface.json declare it,
its two checks built; colmena's `deploymentConfig` of every node, and each
node's system equal to the host's nixosConfiguration (same store path), so
`imports` carries exactly the host's modules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import compile_dir, generate, staged, write_fleet
from tests.support.paths import SAMPLES
from fleetc import checks
from fleetc.core import ssh_target
from fleetc.core.diagnostics import render_text
from fleetc.frontend import load
from fleetc.core.source import Source

GENERATIONS = ["current", "legacy"]

FLEET = """
[fleet]
name = "lab"
deploy_tool = "{tool}"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
bridge = "br0"

[hosts.hv1]
machine_id = "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"
uplink = "eno1"
target = "admin@hv1.example.org:2222"

[hosts.arm1]
machine_id = "6f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5b"
system = "aarch64-linux"
target = "[2001:db8::3]"

[hosts.spare]
machine_id = "7f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5c"

[vms.web]
host = "hv1"
machine_id = "0123456789abcdef0123456789abcdef"
interfaces = [{{ network = "lan", ipv4 = "10.0.0.10", mac = "02:00:00:00:00:10", id = "vm-web" }}]

[vms.db]
host = "arm1"
system = "aarch64-linux"
machine_id = "fedcba9876543210fedcba9876543210"
interfaces = [{{ network = "lan", ipv4 = "10.0.0.11", mac = "02:00:00:00:00:11", id = "vm-db" }}]
"""
HOSTS = ("arm1", "hv1", "spare")


def flake_for(tmp_path: Path, tool: str) -> tuple[Path, dict[str, str]]:
    fleet_dir = write_fleet(tmp_path / "fleet", FLEET.format(tool=tool))
    files, diagnostics = generate(fleet_dir)
    assert diagnostics == []
    return staged(fleet_dir, tmp_path / "nix"), files


def inputs(flake: Path, generation: str) -> dict[str, Path]:
    text = (flake / "flake.nix").read_text()
    return nixeval.overrides(generation) | nixeval.deploy_tools(text)


def toplevels(flake: Path, found: dict[str, Path]) -> dict[str, str]:
    apply = "cs: builtins.mapAttrs (_: c: c.config.system.build.toplevel.outPath) cs"
    every = nixeval.eval_flake(flake, "nixosConfigurations", found, apply)
    return {name: every[name] for name in HOSTS}


# ---- deploy-rs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def deploy_rs(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    return flake_for(tmp_path_factory.mktemp("deploy-rs"), "deploy-rs")


def test_deploy_rs_input_is_declared_as_its_readme_does(deploy_rs):
    _, files = deploy_rs
    assert '    deploy-rs.url = "github:serokell/deploy-rs";\n' in files["flake.nix"]
    assert "colmena" not in files["flake.nix"] + files["outputs.nix"]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_deploy_rs_nodes_have_the_shape_of_its_interface(deploy_rs, generation):
    flake, _ = deploy_rs
    found = inputs(flake, generation)
    deploy = nixeval.eval_flake(flake, "deploy", found)
    paths = {
        name: node["profiles"]["system"].pop("path")
        for name, node in deploy["nodes"].items()
    }
    assert deploy == {
        "nodes": {
            "arm1": {
                "hostname": "2001:db8::3",
                "profiles": {"system": {"user": "root"}},
            },
            "hv1": {
                "hostname": "hv1.example.org",
                "sshUser": "admin",
                "sshOpts": ["-p", "2222"],
                "profiles": {"system": {"user": "root"}},
            },
            "spare": {"hostname": "spare", "profiles": {"system": {"user": "root"}}},
        }
    }
    checks = [
        f"checks.x86_64-linux.{name}" for name in ("deploy-schema", "deploy-activate")
    ]
    built = nixeval.build_flake(flake, checks, found)
    assert all(path.exists() for path in built.values())
    # Each profile is activate.nixos over the host's own system.
    systems = toplevels(flake, found)
    recorded = nixeval.manifests(Path(paths[name]) for name in HOSTS)
    for name, manifest in zip(HOSTS, recorded, strict=True):
        assert manifest["base"] == systems[name]
        assert "switch-to-configuration switch" in manifest["activate"]
        assert (Path(paths[name]) / "deploy-rs-activate").exists()


def test_the_checks_are_one_per_system_deploy_rs_knows(deploy_rs):
    flake, _ = deploy_rs
    found = inputs(flake, "current")
    names = nixeval.eval_flake(
        flake, "checks", found, "c: builtins.mapAttrs (_: builtins.attrNames) c"
    )
    assert names == {
        system: ["deploy-activate", "deploy-schema"]
        for system in ("aarch64-linux", "x86_64-linux")
    }


INTERFACE = nixeval.DEPLOY_RS / "lib" / "interface.nix"


@pytest.mark.parametrize(
    "deploy, why",
    [
        ("{ nodes.a.profiles = { }; }", "`hostname` is required"),
        (
            '{ nodes.a = { hostname = "h"; profiles.system.user = "root"; }; }',
            "`path` is required",
        ),
        ('{ nodes."42" = { hostname = "h"; }; }', "name does not match"),
        (
            '{ nodes.a = { hostname = "h"; sshOpts = "-p 22"; }; }',
            "sshOpts: wrong type",
        ),
        ("{ nodes.a = { hostname = 1; }; }", "hostname: wrong type"),
    ],
)
def test_the_schema_stand_in_refuses_what_interface_json_refuses(deploy, why):
    """The stand-in's deploy-schema can fail, as check-jsonschema would."""
    lib = f"import {nixeval.NIXPKGS}/lib"
    expr = f"import {INTERFACE} {{ lib = {lib}; }} {deploy}"
    assert why in nixeval.eval_error(expr)


# ---- colmena ------------------------------------------------------------------


@pytest.fixture(scope="module")
def colmena(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    return flake_for(tmp_path_factory.mktemp("colmena"), "colmena")


@pytest.mark.parametrize("generation", GENERATIONS)
def test_colmena_hive_deploys_each_host_as_its_configuration(colmena, generation):
    flake, files = colmena
    found = inputs(flake, generation)
    apply = """hive: {
      inherit (hive) __schema;
      deployment = builtins.mapAttrs (_: d: { inherit (d) targetHost targetPort targetUser; }) hive.deploymentConfig;
      toplevel = builtins.mapAttrs (_: t: t.outPath) hive.toplevel;
      systems = builtins.mapAttrs (_: n: n.config.nixpkgs.system) hive.nodes;
    }"""
    hive = nixeval.eval_flake(flake, "colmenaHive", found, apply)
    assert hive["deployment"] == {
        "arm1": {"targetHost": "2001:db8::3", "targetPort": None, "targetUser": None},
        "hv1": {
            "targetHost": "hv1.example.org",
            "targetPort": 2222,
            "targetUser": "admin",
        },
        "spare": {"targetHost": "spare", "targetPort": None, "targetUser": None},
    }
    assert hive["toplevel"] == toplevels(flake, found)
    assert hive["systems"] == {
        "arm1": "aarch64-linux",
        "hv1": "x86_64-linux",
        "spare": "x86_64-linux",
    }
    assert "colmena.url" in files["flake.nix"] and "deploy-rs" not in files["flake.nix"]


# ---- without a tool, and with the fleet's own input --------------------------


def test_no_tool_writes_no_deploy_output(tmp_path):
    fleet_dir = write_fleet(tmp_path / "fleet", FLEET.format(tool="none"))
    files, _ = generate(fleet_dir)
    for word in ("deploy-rs", "colmena", "deploy.nodes", "checks ="):
        assert word not in files["flake.nix"] + files["outputs.nix"]


def test_a_declared_tool_input_is_kept_as_declared(tmp_path):
    text = FLEET.format(tool="deploy-rs") + (
        '\n[fleet.inputs.deploy-rs]\nurl = "github:me/deploy-rs"\nfollows_nixpkgs = true\n'
    )
    text = text.replace('deploy_tool = "deploy-rs"\n', "").replace(
        "[fleet]\n", '[fleet]\ndeploy_tool = "deploy-rs"\n', 1
    )
    fleet_dir = write_fleet(tmp_path / "fleet", text)
    files, _ = generate(fleet_dir)
    assert "serokell" not in files["flake.nix"]
    assert (
        '    deploy-rs = {\n      url = "github:me/deploy-rs";\n' in files["flake.nix"]
    )


# ---- target: an ssh destination, located when it is not ----------------------

GOOD = {
    "hv1": ("hv1", None, None),
    "root@hv1.example.org": ("hv1.example.org", "root", None),
    "admin@10.0.0.2:2222": ("10.0.0.2", "admin", 2222),
    "root@[2001:db8::1]:22": ("2001:db8::1", "root", 22),
    "2001:db8::1": ("2001:db8::1", None, None),
    "deploy_bot@hv_1": ("hv_1", "deploy_bot", None),
}


@pytest.mark.parametrize("text", sorted(GOOD))
def test_targets_parse_into_user_host_and_port(text):
    parsed = ssh_target.parse(text)
    assert (parsed.host, parsed.user, parsed.port) == GOOD[text]


BAD = {
    "": "empty",
    "-oProxyCommand=touch /tmp/x": "starts with `-`",
    "root@-oProxyCommand": "not a host name",
    "root@hv1 -p 22": "a blank",
    "root@hv1;reboot": "`;`",
    "root@$(reboot)": "`$`",
    "root@`reboot`": "`",
    "root@hv1\n": "a line break",
    "root@hv1|x": "`|`",
    "root@": "names no host",
    "-@hv1": "starts with `-`",
    "r oot@hv1": "a blank",
    "x@y@hv1": "not a user name",
    "root@hv1:0": "not a port",
    "root@hv1:65536": "not a port",
    "root@hv1:22x": "not a port",
    "root@[2001:db8::1": "ends with `]`",
    "root@[hv1]:22": "not an IPv6 address",
    "root@fe80::1:22:x": "not a host name",
    "root@hv1.-x.org": "not a host name",
    "root@fe80::1%eth0": "`%`",
}


@pytest.mark.parametrize("text", sorted(BAD))
def test_targets_that_change_meaning_in_ssh_argv_are_refused(text):
    with pytest.raises(ssh_target.BadTarget) as refused:
        ssh_target.parse(text)
    assert BAD[text] in str(refused.value)


def diagnose(name: str, text: str) -> list:
    fleet, problems = load(Source(name, text), None)
    assert problems == [], [render_text(d) for d in problems]
    return checks.run(fleet)


BAD_TARGET_TOML = """\
[fleet]
name = "t"

[hosts.hv1]
target = "root@hv1 -oProxyCommand=x"
"""
BAD_TARGET_FLEET = """\
fleet t {
}

host hv1 {
  target "-oProxyCommand=x"
}
"""


@pytest.mark.parametrize(
    "name, text, line, column",
    [("fleet.toml", BAD_TARGET_TOML, 5, 10), ("fleet.fleet", BAD_TARGET_FLEET, 5, 10)],
)
def test_a_bad_target_is_a_located_error_in_both_formats(name, text, line, column):
    [found] = [d for d in diagnose(name, text) if d.code == "F930"]
    assert (found.severity.value, *found.span.line_col) == ("error", line, column)
    assert "host `hv1`" in found.message and found.help


@pytest.mark.parametrize(
    "tool, host, code",
    [
        ("colmena", "meta", "F931"),
        ("colmena", "defaults", "F931"),
        ("deploy-rs", "42", "F932"),
    ],
)
def test_host_names_a_tool_cannot_carry(tool, host, code):
    text = f'[fleet]\nname = "t"\ndeploy_tool = "{tool}"\n\n[hosts.{host}]\n'
    [found] = [d for d in diagnose("fleet.toml", text) if d.code.startswith("F93")]
    assert (found.code, *found.span.line_col) == (code, 5, 2)


def test_the_other_tool_takes_those_names():
    for tool, host in (("deploy-rs", "meta"), ("colmena", "42"), ("none", "meta")):
        text = f'[fleet]\nname = "t"\ndeploy_tool = "{tool}"\n\n[hosts.{host}]\n'
        assert [
            d for d in diagnose("fleet.toml", text) if d.code.startswith("F93")
        ] == []


def test_samples_deploy_with_both_tools():
    """samples/deploy-rs and samples/colmena compile clean (their trees are
    goldens, evaluated with both generations by test_generation_trees.py)."""
    root = SAMPLES
    for tool in ("deploy-rs", "colmena"):
        result = compile_dir(root / tool)
        assert result.fleet.deploy_tool == tool and result.diagnostics == []
