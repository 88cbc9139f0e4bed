"""The Nix stand-ins (tests/nix) behave as nixpkgs and microvm.nix do on the
points fleetc relies on, and really build offline.

Expected values below are worked out by hand from nixpkgs' documented
semantics (lib/modules.nix, lib/types.nix) and microvm.nix's system.nix.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.paths import ROOT

PACKAGE_OPTIONS = ROOT / "compiler" / "fleetc" / "data" / "microvm-options.json"
LEGACY_OPTIONS = PACKAGE_OPTIONS.with_name("microvm-options-2025-07.json")
# Each stand-in's options.json and the package data it copies.
OPTION_COPIES = [
    (nixeval.MICROVM / "options.json", PACKAGE_OPTIONS),
    (nixeval.MICROVM_LEGACY / "options.json", LEGACY_OPTIONS),
]

# Declarations shared by the module-system tests below.
DECLARATIONS = """{ lib, ... }: with lib; {
  options.t = {
    list = mkOption { type = types.listOf types.str; default = [ ]; };
    text = mkOption { type = types.lines; };
    name = mkOption { type = types.str; default = "from-default"; };
    count = mkOption { type = types.int; };
    files = mkOption {
      type = types.attrsOf (types.submodule ({ name, ... }: {
        options.text = mkOption { type = types.nullOr types.lines; default = null; };
        options.mode = mkOption { type = types.str; default = "symlink"; };
        options.target = mkOption { type = types.str; default = name; };
      }));
      default = { };
    };
    units = mkOption { type = types.attrsOf types.anything; default = { }; };
    enable = mkOption { type = types.bool; default = false; };
  };
}"""


def test_module_system_merges_as_nixpkgs_does(tmp_path: Path) -> None:
    imported = tmp_path / "imported.nix"
    imported.write_text('{ t.list = [ "imported-once" ]; }\n')
    modules = [
        DECLARATIONS,
        f"{{ imports = [ {imported} {imported} ]; }}",
        '{ t.list = [ "a" ]; t.text = "one"; t.files.id.text = "x\\n"; }',
        """{ lib, config, options, ... }: {
             t.list = lib.mkBefore [ "first" (lib.mkIf false "dropped") ];
             t.text = "two";
             t.name = lib.mkDefault "from-mkDefault";
             t.files.id = { text = "y\\n"; mode = "0644"; };
             t.units.net = { Address = [ "10.0.0.2/24" ]; };
             t.count = lib.mkIf config.t.enable (lib.mkForce 7);
           }""",
        '{ config = { t.units.net.Gateway = "10.0.0.1"; t.count = 3; t.enable = true; }; }',
        '{ lib, ... }: { config = lib.mkIf false { t.list = [ "never" ]; t.count = 99; }; }',
        '{ lib, ... }: { t.list = lib.mkAfter [ "last" ]; }',
    ]
    got = nixeval.eval_json(nixeval.modules_expr(modules, "config.t"))
    # Imports come after the listed modules (nixpkgs collects them with
    # genericClosure too); a file imported twice counts once.
    assert got["list"] == ["first", "a", "imported-once", "last"]
    assert got["text"] == "one\ntwo"
    assert got["name"] == "from-mkDefault"
    assert got["count"] == 7
    # The real machine-id hazard: two `lines` definitions concatenate.
    assert got["files"] == {"id": {"text": "x\n\ny\n", "mode": "0644", "target": "id"}}
    assert got["units"] == {"net": {"Address": ["10.0.0.2/24"], "Gateway": "10.0.0.1"}}


def test_types_expose_sub_options_and_nested_types_as_nixpkgs_does() -> None:
    """nixpkgs' types.nix: listOf/attrsOf/nullOr pass getSubOptions to their
    element type (adding "*" / "<name>" to the prefix), a submodule returns the
    options its modules declare (with `_module`), any other type `{ }`;
    `nestedTypes.elemType` is the element type."""
    select = """options: let
      names = type: builtins.attrNames (type.getSubOptions [ ]);
    in {
      element = names options.t.files.type.nestedTypes.elemType;
      attrs = names options.t.files.type;
      nullable = names (lib.types.nullOr options.t.files.type.nestedTypes.elemType);
      scalar = options.t.name.type.getSubOptions [ ];
      defaultTarget = (options.t.files.type.getSubOptions [ ]).target.default;
    }"""
    expr = nixeval.modules_expr([DECLARATIONS], "options")
    got = nixeval.eval_json(f"let lib = {nixeval.lib_expr()}; in ({select}) {expr}")
    assert got["element"] == got["attrs"] == got["nullable"]
    assert got["element"] == ["_module", "mode", "target", "text"]
    assert got["scalar"] == {}
    # Evaluated without definitions, `name` is nixpkgs' placeholder.
    assert got["defaultTarget"] == "‹name›"


def test_defaults_priorities_and_module_arguments() -> None:
    modules = [
        DECLARATIONS,
        '{ lib, ... }: { t.name = lib.mkOverride 1400 "weak"; }',
        "{ lib, ... }: { t.count = lib.mkMerge [ (lib.mkDefault 1) (lib.mkOptionDefault 0) ]; }",
        "{ special, pkgs ? null, ... }: { t.list = [ special ]; }",
    ]
    listed = " ".join(f"({module})" for module in modules)
    evaluated = (
        f"(({nixeval.lib_expr()}).evalModules {{ "
        f'specialArgs.special = "from-specialArgs"; modules = [ {listed} ]; }})'
    )
    got = nixeval.eval_json(f"{{ inherit ({evaluated}.config.t) name count list; }}")
    assert (got["name"], got["count"], got["list"]) == ("weak", 1, ["from-specialArgs"])


def test_undeclared_option_is_an_error_naming_it_and_its_file(tmp_path: Path) -> None:
    module = tmp_path / "typo.nix"
    module.write_text('{ t.nmae = "x"; }\n')
    error = nixeval.eval_error(
        nixeval.modules_expr([DECLARATIONS, str(module)], "config.t.name")
    )
    assert "The option `t.nmae' does not exist" in error
    assert str(module) in error


def test_undeclared_option_under_mkif_false_is_still_an_error() -> None:
    # nixpkgs pushes mkIf down to attribute names before checking them.
    module = "{ lib, ... }: { config = lib.mkIf false { t.bogus = 1; }; }"
    error = nixeval.eval_error(
        nixeval.modules_expr([DECLARATIONS, module], "config.t.name")
    )
    assert "The option `t.bogus' does not exist" in error


def test_type_error_names_option_type_and_file(tmp_path: Path) -> None:
    module = tmp_path / "wrong.nix"
    module.write_text('{ t.count = "five"; }\n')
    error = nixeval.eval_error(
        nixeval.modules_expr([DECLARATIONS, str(module)], "config.t.count")
    )
    assert "A definition for option `t.count' is not of type `signed integer'" in error
    assert f'In `{module}\': "five"' in error


def test_type_error_inside_a_submodule_names_the_full_path() -> None:
    module = "{ t.files.motd.mode = 644; }"
    error = nixeval.eval_error(
        nixeval.modules_expr([DECLARATIONS, module], "config.t.files")
    )
    assert (
        "A definition for option `t.files.motd.mode' is not of type `string'" in error
    )


def test_conflicting_scalar_definitions_are_an_error() -> None:
    modules = [DECLARATIONS, "{ t.count = 1; }", "{ t.count = 2; }"]
    error = nixeval.eval_error(nixeval.modules_expr(modules, "config.t.count"))
    assert "The option `t.count' has conflicting definition values" in error


def test_every_standin_file_parses() -> None:
    nixeval.parse(sorted(nixeval.NIX_DIR.rglob("*.nix")))


@pytest.mark.parametrize(("copy", "original"), OPTION_COPIES)
def test_options_json_is_a_byte_copy_of_the_package_data(
    copy: Path, original: Path
) -> None:
    assert copy.read_bytes() == original.read_bytes()


@pytest.mark.parametrize("data_file", [PACKAGE_OPTIONS, LEGACY_OPTIONS])
def test_every_type_in_the_option_data_has_a_translation(data_file: Path) -> None:
    # Names the translation knows (tests/nix/microvm/lib/options-from-json.nix)
    # plus the three whose parameters the extraction lost (-> unspecified).
    known = {
        "str", "nonEmptyStr", "int", "positiveInt", "unsignedInt", "unsignedInt16",
        "bool", "path", "package", "separatedString", "attrs", "anything",
        "unspecified", "deferredModule", "enum", "listOf", "attrsOf", "nullOr",
        "submodule",
    }  # fmt: skip
    lossy = {"either", "pkgs", "Toplevel NixOS config"}
    data = json.loads(data_file.read_text())
    names = set(_type_names(data["microvm_guest_options"]))
    names |= set(_type_names(data["microvm_host_options"]))
    assert names - known <= lossy


def _type_names(tree: dict) -> list[str]:
    names = []
    for node in tree.values():
        kind = node.get("type")
        if isinstance(kind, dict) and isinstance(kind.get("name"), str):
            names += _descriptor_names(kind)
        else:
            names += _type_names(node)
    return names


def _descriptor_names(descriptor: dict) -> list[str]:
    names = [descriptor["name"]]
    if "elem" in descriptor:
        names += _descriptor_names(descriptor["elem"])
    if "options" in descriptor:
        names += _type_names(descriptor["options"])
    return names


def guest_module(generation: str) -> str:
    """The stand-in guest module of a generation, as Nix text."""
    modules = nixeval.MICROVM / "nixos-modules"
    if generation == "current":
        return str(modules / "microvm.nix")
    data = (
        f"builtins.fromJSON (builtins.readFile {nixeval.MICROVM_LEGACY}/options.json)"
    )
    return f"import {modules}/guest.nix {{ data = {data}; }}"


def guest_expr(generation: str, module: str, select: str) -> str:
    return nixeval.nixos_expr([guest_module(generation), module], select)


@pytest.mark.parametrize(
    ("module", "fragment"),
    [
        (
            "{ microvm.vcpu = 0; }",
            "`microvm.vcpu' is not of type `positive integer, meaning >0'",
        ),
        (
            '{ microvm.hypervisor = "vmware"; }',
            '`microvm.hypervisor\' is not of type `one of "qemu"',
        ),
        (
            '{ microvm.shares = [ { tag = "t"; source = ""; mountPoint = "/x"; } ]; }',
            "`microvm.shares.[definition 1-entry 1].source' is not of type `non-empty string'",
        ),
        ("{ microvm.memory = 512; }", "The option `microvm.memory' does not exist"),
    ],
)
def test_json_declarations_check_microvm_values(module: str, fragment: str) -> None:
    select = "config.microvm.declaredRunner.drvPath"
    error = nixeval.eval_error(
        guest_expr("current", f'{{ networking.hostName = "vm"; }} // {module}', select)
    )
    assert fragment in error


def derived_machine_id(host_name: str) -> str:
    """microvm.nix's default machineId (options.nix), without dashes."""
    return hashlib.sha256(f"microvm.nix:{host_name}".encode()).hexdigest()[:32]


FAQ_RECIPE = (
    '{ environment.etc."machine-id" = '
    '{ mode = "0644"; text = "0123456789abcdef0123456789abcdef\\n"; }; }'
)
MACHINE_ID_SETTINGS = {
    "nothing": "{ }",
    "machineId": '{ microvm.machineId = "01234567-89ab-cdef-0123-456789abcdef"; }',
    "faq": FAQ_RECIPE,
    "both": FAQ_RECIPE.replace(
        "{ environment", "{ microvm.machineId = null; environment"
    ),
}


def machine_ids(generation: str) -> dict:
    """/etc/machine-id text (or null) of a guest "web" per way of setting it."""
    cases = " ".join(
        f'"{case}" = ' + _etc_machine_id(generation, module) + ";"
        for case, module in MACHINE_ID_SETTINGS.items()
        if generation == "current" or "microvm.machineId" not in module
    )
    return nixeval.eval_json(f"{{ {cases} }}")


def _etc_machine_id(generation: str, module: str) -> str:
    select = 'config.environment.etc."machine-id".text or null'
    return guest_expr(
        generation, f'{{ networking.hostName = "web"; }} // {module}', select
    )


def test_current_generation_writes_machine_id_from_microvm_machine_id() -> None:
    got = machine_ids("current")
    assert got["machineId"] == "0123456789abcdef0123456789abcdef\n"
    # The default is derived from the hostname, so the file is always written ...
    assert got["nothing"] == derived_machine_id("web") + "\n"
    # ... and the FAQ's recipe alone becomes a second, concatenated line.
    assert (
        got["faq"]
        == derived_machine_id("web") + "\n\n0123456789abcdef0123456789abcdef\n"
    )
    assert got["both"] == "0123456789abcdef0123456789abcdef\n"


def test_legacy_generation_has_no_machine_id_option_or_behaviour() -> None:
    got = machine_ids("legacy")
    assert got == {"nothing": None, "faq": "0123456789abcdef0123456789abcdef\n"}
    module = MACHINE_ID_SETTINGS["machineId"]
    error = nixeval.eval_error(_etc_machine_id("legacy", module))
    assert "The option `microvm.machineId' does not exist" in error


TINY_FLAKE = """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.microvm = {
    url = "github:microvm-nix/microvm.nix";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, microvm }: {
    nixosConfigurations.web = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [
        microvm.nixosModules.microvm
        {
          networking.hostName = "web";
          microvm.hypervisor = "cloud-hypervisor";
          microvm.interfaces = [ { type = "tap"; id = "vm-web"; mac = "02:00:00:00:00:10"; } ];
          environment.etc."machine-id" = { mode = "0644"; text = "0123456789abcdef0123456789abcdef\\n"; };
        }
      ];
    };
    nixosConfigurations.server = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [
        microvm.nixosModules.host
        {
          networking.hostName = "server";
          microvm.autostart = [ "web" ];
          microvm.vms.web = { flake = self; updateFlake = "git+https://example.org/fleet"; };
        }
      ];
    };
  };
}
"""
BUILT = [
    "nixosConfigurations.web.config.microvm.declaredRunner",
    "nixosConfigurations.web.config.system.build.toplevel",
    "nixosConfigurations.server.config.system.build.toplevel",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny flake built with the legacy stand-in (the FAQ recipe is its way)."""
    flake = tmp_path_factory.mktemp("tiny") / "flake.nix"
    flake.write_text(TINY_FLAKE)
    nixeval.parse([flake])
    return nixeval.build_flake(flake.parent, BUILT, nixeval.overrides("legacy"))


def test_toplevels_and_runner_are_real_store_paths(built: dict[str, Path]) -> None:
    runner, guest, host = (built[name] for name in BUILT)
    for out in (runner, guest, host):
        assert out.parent == Path("/nix/store") and out.is_dir()
    assert runner.name.endswith("-microvm-cloud-hypervisor-web")
    assert (runner / "bin" / "microvm-run").is_file()


def test_toplevel_records_hostname_and_machine_id(built: dict[str, Path]) -> None:
    runner, guest, host = nixeval.manifests(built[name] for name in BUILT)
    assert guest["hostName"] == "web"
    assert guest["etc"]["machine-id"] == {
        "text": "0123456789abcdef0123456789abcdef\n",
        "mode": "0644",
        "target": "machine-id",
    }
    assert runner["toplevel"] == str(built[BUILT[1]])
    # 2025-07 has no tap settings (tap.vhost arrived in 2026), so none recorded.
    assert runner["interfaces"] == [
        {"type": "tap", "id": "vm-web", "mac": "02:00:00:00:00:10"}
    ]
    assert host["microvm"]["vms"]["web"]["runner"] == str(built[BUILT[0]])
    assert (
        host["microvm"]["vms"]["web"]["updateFlake"] == "git+https://example.org/fleet"
    )


def test_runner_keeps_its_toplevel_alive(built: dict[str, Path]) -> None:
    references = subprocess.run(
        ["nix-store", "--query", "--references", str(built[BUILT[0]])],
        env=nixeval.nix_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert str(built[BUILT[1]]) in references
