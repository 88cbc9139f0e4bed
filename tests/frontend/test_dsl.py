"""The DSL frontend: contract section 2 into the model, with located diagnostics.

Expected line:col positions were counted by hand from the texts below.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path, PurePosixPath

import pytest

from fleetc import checks
from fleetc.core import pipeline
from fleetc.core.diagnostics import render_text
from fleetc.frontend.dsl import syntax as dsl_syntax
from fleetc.frontend import load
from fleetc.frontend.dsl import load_dsl
from fleetc.frontend.toml import load_toml
from fleetc.core.source import Source

from tests.support import nixeval
from tests.support.paths import ROOT

SAMPLES = ROOT / "samples"

# The contract's DSL sample (section 2), unchanged.
SAMPLE = """\
# comment
fleet example {
  system x86_64-linux
  flake "git+https://git.example.org/org/fleet"
}

network lan {
  ipv4 10.0.0.0/24 gateway 10.0.0.1
  ipv6 fd12:3456:789a::/64 gateway fd12:3456:789a::1
  bridge br0
}

host server1 {
  machine-id 5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a
  uplink eno1

  vm web {
    machine-id 0123456789abcdef0123456789abcdef
    hypervisor cloud-hypervisor
    vcpu 2
    mem 1024
    interface lan ipv4 10.0.0.10 mac 02:00:00:00:00:10
    share srv /srv/web -> /srv
    volume var.img -> /var size 4096
    module ./vms/web.nix
  }
}
"""

# Its TOML twin, written by hand from contract section 1.
SAMPLE_TOML = """\
[fleet]
name = "example"
system = "x86_64-linux"
flake = "git+https://git.example.org/org/fleet"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
ipv6 = "fd12:3456:789a::/64"
gateway6 = "fd12:3456:789a::1"
bridge = "br0"

[hosts.server1]
machine_id = "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"
uplink = "eno1"

[vms.web]
host = "server1"
machine_id = "0123456789abcdef0123456789abcdef"
hypervisor = "cloud-hypervisor"
vcpu = 2
mem = 1024
modules = ["vms/web.nix"]
interfaces = [{ network = "lan", ipv4 = "10.0.0.10", mac = "02:00:00:00:00:10" }]
shares = [{ tag = "srv", source = "/srv/web", mount = "/srv" }]
volumes = [{ image = "var.img", mount = "/var", size = 4096 }]
"""


def dsl(text: str, name: str = "fleet.fleet"):
    return load_dsl(Source(name, text))


def at(span) -> tuple[int, int]:
    return span.line_col


def found(diagnostics) -> list[tuple[str, int, int]]:
    return sorted((d.code, *at(d.span)) for d in diagnostics)


def only(text: str):
    """The one diagnostic a text gives."""
    fleet, diagnostics = dsl(text)
    assert len(diagnostics) == 1, [render_text(d) for d in diagnostics]
    return diagnostics[0]


def compiled(name: str, text: str, fleet_dir: str = "/srv/fleet") -> pipeline.Result:
    result = pipeline.compile(
        Source(name, text), pipeline.Placement(PurePosixPath(fleet_dir))
    )
    assert result.ok, [render_text(d) for d in result.diagnostics]
    return result


def without_header(files: dict[str, str]) -> dict[str, str]:
    """The header line names the source file; everything after it must match."""
    return {path: text.split("\n", 1)[1] for path, text in files.items()}


def parse_with_nix(tree: dict[str, str], where: Path) -> None:
    for path, text in tree.items():
        (where / path).parent.mkdir(parents=True, exist_ok=True)
        (where / path).write_text(text)
    nixeval.parse(where / path for path in tree if path.endswith(".nix"))


# -- the contract's sample -------------------------------------------------------


def test_contract_sample_loads_without_diagnostics():
    fleet, diagnostics = dsl(SAMPLE)
    assert diagnostics == []
    assert (
        fleet.name == "example"
        and fleet.flake == "git+https://git.example.org/org/fleet"
    )
    (network,) = fleet.networks
    assert (network.ipv4, network.gateway4) == ("10.0.0.0/24", "10.0.0.1")
    assert (network.ipv6, network.gateway6) == (
        "fd12:3456:789a::/64",
        "fd12:3456:789a::1",
    )
    (host,) = fleet.hosts
    assert (host.name, host.uplink) == ("server1", "eno1")
    (vm,) = fleet.vms
    assert (vm.host, vm.hypervisor, vm.vcpu, vm.mem) == (
        "server1",
        "cloud-hypervisor",
        2,
        1024,
    )
    assert vm.interfaces[0].mac == "02:00:00:00:00:10" and vm.interfaces[0].id is None
    share = vm.shares[0]
    assert (share.tag, share.source, share.mount) == ("srv", "/srv/web", "/srv")
    assert (vm.volumes[0].image, vm.volumes[0].mount, vm.volumes[0].size) == (
        "var.img",
        "/var",
        4096,
    )
    assert [m.text for m in vm.modules] == ["vms/web.nix"]


def test_contract_sample_equals_its_toml_twin():
    fleet, _ = dsl(SAMPLE)
    twin, diagnostics = load_toml(Source("fleet.toml", SAMPLE_TOML))
    assert diagnostics == [] and fleet == twin


def test_contract_sample_compiles_to_the_tree_of_its_toml_twin(tmp_path):
    tree = compiled("fleet.fleet", SAMPLE).files
    twin = compiled("fleet.toml", SAMPLE_TOML).files
    assert without_header(tree) == without_header(twin)
    assert all("fleet.fleet" in text.split("\n", 1)[0] for text in tree.values())
    parse_with_nix(tree, tmp_path)


def test_contract_sample_spans():
    fleet, _ = dsl(SAMPLE)
    network, vm = fleet.networks[0], fleet.vms[0]
    assert at(fleet.at("flake")) == (4, 9)
    assert at(network.span) == (7, 1)
    assert at(network.at("gateway4")) == (8, 28)
    assert at(network.at("gateway6")) == (9, 36)
    assert at(vm.span) == (17, 3)
    assert at(vm.at("host")) == (13, 6)  # the enclosing host's name
    assert at(vm.at("mem")) == (21, 9)
    assert at(vm.interfaces[0].at("mac")) == (22, 38)
    assert at(vm.shares[0].at("mount")) == (23, 27)
    assert at(vm.volumes[0].at("size")) == (24, 33)
    assert at(vm.modules[0].span) == (25, 12)
    assert all(span.source.name == "fleet.fleet" for span in vm.spans.values())


def test_the_frontend_picks_the_dsl_by_extension():
    fleet, diagnostics = load(Source("site.fleet", SAMPLE))
    assert diagnostics == [] and fleet.source_name == "site.fleet"
    fleet, diagnostics = load(Source("site.conf", SAMPLE), "fleet")
    assert diagnostics == [] and fleet.name == "example"


# -- every sample in both formats --------------------------------------------------


def sample_dirs() -> list[Path]:
    return sorted(path.parent for path in SAMPLES.glob("*/fleet.toml"))


@pytest.mark.parametrize("sample", sample_dirs(), ids=lambda path: path.name)
def test_sample_twins_compile_to_the_same_tree(sample, tmp_path):
    twin = sample / "fleet.fleet"
    assert twin.exists(), f"write {twin} (fleetc convert helps)"
    fleet_dir = f"/srv/{sample.name}"
    from_dsl = compiled("fleet.fleet", twin.read_text(), fleet_dir)
    from_toml = compiled("fleet.toml", (sample / "fleet.toml").read_text(), fleet_dir)
    # Byte for byte, headers included: they name both twins, whichever was read.
    assert from_dsl.files == from_toml.files
    assert [d.message for d in from_dsl.diagnostics] == [
        d.message for d in from_toml.diagnostics
    ]
    assert from_dsl.lock_text == from_toml.lock_text
    parse_with_nix(from_dsl.files, tmp_path)


def test_journald_in_the_dsl_is_at_most_60_percent_of_its_toml():
    dsl_bytes = len((SAMPLES / "journald" / "fleet.fleet").read_bytes())
    toml_bytes = len((SAMPLES / "journald" / "fleet.toml").read_bytes())
    print(f"journald: fleet.fleet {dsl_bytes} bytes, fleet.toml {toml_bytes} bytes")
    assert dsl_bytes <= 0.6 * toml_bytes


# -- the grammar -----------------------------------------------------------------


def test_the_grammar_is_built_once():
    """Well-formed text needs no lark (dsl_scan); lark explains syntax errors."""
    only("fleet a {\n")
    only("}\n")
    assert dsl_syntax.parser.cache_info().misses == 1
    assert dsl_syntax.parser() is dsl_syntax.parser()


def test_the_grammar_is_read_from_the_package():
    packaged = files("fleetc") / "grammar" / "fleet.lark"
    assert packaged.read_text() == (ROOT / "grammar" / "fleet.lark").read_text()


def test_the_grammar_is_packaged_with_the_code(tmp_path):
    """What setuptools puts in the wheel: build_py of a copy of the project
    (offline; `pip wheel .` then `unzip -l` shows fleetc/grammar/fleet.lark)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(
        ROOT / "compiler", project / "compiler", symlinks=True, ignore=ignore
    )
    shutil.copytree(ROOT / "grammar", project / "grammar")
    built = tmp_path / "lib"
    setup = "import setuptools; setuptools.setup()"
    command = [sys.executable, "-c", setup, "build_py", "--build-lib", str(built)]
    subprocess.run(command, cwd=project, check=True, capture_output=True)
    shipped = built / "fleetc" / "grammar" / "fleet.lark"
    assert not shipped.is_symlink()
    assert shipped.read_text() == (ROOT / "grammar" / "fleet.lark").read_text()


# -- syntax errors, in words -------------------------------------------------------


def test_an_unclosed_block_points_at_its_brace():
    problem = only("fleet a {\n  system x\n\nhost b {\n}\n")
    assert (problem.code, at(problem.span)) == ("F001", (1, 9))
    assert problem.message == "expected a statement or `}`, found the end of the file"
    assert problem.label == "never closed" and "line 1" in problem.help


def test_a_stray_closing_brace():
    problem = only("fleet a {\n}\n}\n")
    assert (problem.code, at(problem.span)) == ("F001", (3, 1))
    assert problem.message == "expected a statement or the end of the file, found `}`"
    assert problem.help == "no block is open here: remove this `}`"


def test_a_statement_after_an_opening_brace():
    problem = only("fleet a { domain b\n}\n")
    assert at(problem.span) == (1, 11)
    assert problem.message == "expected `}` or the end of the line, found `domain`"
    assert problem.help.startswith("one statement a line")


def test_a_statement_after_a_closing_brace():
    problem = only("fleet a {\n} host b\n")
    assert at(problem.span) == (2, 3)
    assert problem.message == "expected the end of the line, found `host`"
    assert "line of its own" in problem.help


def test_an_unterminated_string():
    problem = only('fleet a {\n  flake "git+https://x\n}\n')
    assert (problem.code, at(problem.span)) == ("F001", (2, 9))
    assert problem.message.startswith("unterminated string")


def test_a_quoted_string_cannot_start_a_statement():
    problem = only('"fleet" a\n')
    assert (problem.code, at(problem.span)) == ("F001", (1, 1))
    assert problem.message == "expected a statement, found a quoted string"


def test_values_need_blanks_between_them():
    problem = only('fleet a"b"\n')
    assert at(problem.span) == (1, 8)
    assert problem.message == "expected a blank before a quoted string"


def test_an_invisible_character_is_named():
    problem = only("fleet a\u00a0b\n")
    assert at(problem.span) == (1, 8)
    assert problem.message == "unexpected character U+00A0 (no-break space)"


def test_bad_escapes_are_located_in_the_string():
    problem = only('fleet a {\n  flake "x\\qy"\n}\n')
    assert (problem.code, at(problem.span)) == ("F001", (2, 11))
    assert problem.message == "unknown escape `\\q` in a string"
    problem = only('fleet a {\n  flake "\\uD800"\n}\n')
    assert problem.message == "`U+D800` is not a Unicode character"


def test_every_hint_example_gets_its_hint():
    for hint, examples in dsl_syntax._HINTS.items():
        for example in examples:
            problem = only(example)
            assert problem.code == "F001" and problem.help == hint, example


# -- meaning: the schema's words --------------------------------------------------


def test_keys_are_spelt_with_dashes_and_lists_by_their_singular():
    fleet, diagnostics = dsl(
        "fleet f {\n  state-dir /var/lib/vms\n  vm-module a.nix\n  vm-modules b.nix c.nix\n}\n"
    )
    assert diagnostics == []
    assert fleet.state_dir == "/var/lib/vms"
    assert [m.text for m in fleet.vm_modules] == ["a.nix", "b.nix", "c.nix"]


def test_a_misspelt_keyword_gets_did_you_mean():
    problem = only("fleet f {\n}\nhots a {\n}\n")
    assert (problem.code, at(problem.span)) == ("F002", (3, 1))
    assert problem.message == "unknown key `hots`"
    assert problem.help == "did you mean `host`?"
    problem = only("fleet f {\n}\nhost a {\n  machine_id 0123\n}\n")
    assert (problem.code, at(problem.span)) == ("F002", (4, 3))
    assert problem.help == "did you mean `machine-id`?"


def test_a_toml_habit_is_named():
    fleet, diagnostics = dsl("fleet f {\n  domain = example.org\n}\n")
    assert found(diagnostics) == [("F001", 2, 10)]
    assert diagnostics[0].message == "unexpected `=`"
    assert fleet.domain == "example.org"


def test_a_missing_value_says_what_it_should_be():
    problem = only("fleet f {\n}\nnetwork lan {\n  ipv4 10.0.0.0/24 gateway\n}\n")
    assert (problem.code, at(problem.span)) == ("F001", (4, 20))
    assert problem.message == "expected an IPv4 address after `gateway`"


def test_values_take_their_keys_kind():
    fleet, diagnostics = dsl(
        "fleet f {\n  journal false\n}\nhost h {\n  uplink 2\n"
        "  interface lan ipv6 false\n  vm v {\n    vcpu 4\n    autostart false\n  }\n}\n"
    )
    assert diagnostics == []
    assert fleet.journal is False and fleet.hosts[0].uplink == "2"
    assert fleet.hosts[0].interfaces[0].ipv6 is False
    assert (fleet.vms[0].vcpu, fleet.vms[0].autostart) == (4, False)


def test_quoted_values_are_always_strings():
    fleet, diagnostics = dsl(
        'fleet f {\n}\nhost h {\n  interface lan ipv4 "false"\n}\n'
    )
    assert diagnostics == [] and fleet.hosts[0].interfaces[0].ipv4 == "false"


def test_strings_may_hold_anything_but_nul():
    text = 'fleet f {\n  domain "a \\"b\\" \\\\ \\t \\u00e9 \\U0001F600 # {x}"\n}\n'
    fleet, diagnostics = dsl(text)
    assert diagnostics == [] and fleet.domain == 'a "b" \\ \t \u00e9 \U0001f600 # {x}'
    problem = only('fleet f {\n  domain "a\\u0000"\n}\n')
    assert (problem.code, at(problem.span)) == ("F005", (2, 10))


def test_comments_end_lines_but_not_words():
    text = "# top\nfleet f { # opens\n  flake git+https://x/y#frag  # a comment\n}  # closes\n"
    fleet, diagnostics = dsl(text)
    assert diagnostics == [] and fleet.flake == "git+https://x/y#frag"


def test_crlf_and_tabs():
    fleet, diagnostics = dsl("fleet f {\r\n\tdomain\tx.org\r\n}\r\n")
    assert diagnostics == [] and fleet.domain == "x.org"


def test_defaults_vm_on_one_line_is_the_nested_table():
    nested = "fleet f {\n}\ndefaults {\n  vm {\n    mem 2048\n  }\n}\n"
    short = "fleet f {\n}\ndefaults vm {\n  mem 2048\n}\n"
    vm = "host h {\n  vm v {\n  }\n}\n"
    assert dsl(nested + vm) == dsl(short + vm)
    fleet, diagnostics = dsl(short + vm)
    assert diagnostics == [] and fleet.vms[0].mem == 2048


def test_positional_values_and_the_arrow():
    fleet, diagnostics = dsl(
        "fleet f {\n}\nhost h {\n  vm v {\n"
        "    share data /srv/data -> /data proto 9p read-only true\n"
        "    volume var.img size 100\n  }\n}\n"
    )
    assert diagnostics == []
    share, volume = fleet.vms[0].shares[0], fleet.vms[0].volumes[0]
    assert (share.tag, share.source, share.mount, share.proto) == (
        "data",
        "/srv/data",
        "/data",
        "9p",
    )
    assert share.read_only is True
    assert (volume.image, volume.mount, volume.size) == ("var.img", None, 100)


def test_a_missing_positional_value_shows_the_statement():
    problem = only(
        "fleet f {\n}\nhost h {\n  vm v {\n    share data -> /data\n  }\n}\n"
    )
    assert (problem.code, at(problem.span)) == ("F004", (5, 5))
    assert problem.message == "missing `source` in `share data` in `vm v`"
    assert problem.help == "write `share TAG SOURCE -> MOUNT`"


def test_an_arrow_where_there_is_no_mount_point():
    problem = only("fleet f {\n}\nhost h {\n  interface lan -> /x\n}\n")
    assert (problem.code, at(problem.span)) == ("F001", (4, 17))


def test_values_known_by_their_shape():
    fleet, diagnostics = dsl(
        "fleet f {\n}\nhost h 5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a {\n"
        "  interface lan 10.0.0.2 fd00::2\n"
        "  vm v 0123456789abcdef0123456789abcdef {\n"
        "    interface lan 10.0.0.10 fd00::10 02:00:00:00:00:10 id tap-v\n  }\n}\n"
    )
    assert diagnostics == []
    host, vm = fleet.hosts[0], fleet.vms[0]
    assert host.machine_id == "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"
    assert (host.interfaces[0].ipv4, host.interfaces[0].ipv6) == ("10.0.0.2", "fd00::2")
    assert vm.machine_id == "0123456789abcdef0123456789abcdef"
    interface = vm.interfaces[0]
    assert (interface.ipv4, interface.ipv6, interface.mac, interface.id) == (
        "10.0.0.10",
        "fd00::10",
        "02:00:00:00:00:10",
        "tap-v",
    )


def test_a_value_of_no_known_shape_needs_its_key():
    problem = only("fleet f {\n}\nhost h {\n  interface lan 10.0.0\n}\n")
    assert (problem.code, at(problem.span)) == ("F001", (4, 17))
    assert (
        problem.message
        == "expected a key of `interface lan` in `host h`, found `10.0.0`"
    )


def test_vms_nest_in_their_host_or_name_it():
    fleet, diagnostics = dsl(
        "fleet f {\n}\nhost a {\n  vm one {\n  }\n}\nvm two {\n  host a\n}\n"
        "host b {\n  vm three {\n  }\n}\n"
    )
    assert diagnostics == []
    assert [(vm.name, vm.host) for vm in fleet.vms] == [
        ("one", "a"),
        ("two", "a"),
        ("three", "b"),
    ]


def test_a_nested_vm_cannot_name_another_host():
    problem = only("fleet f {\n}\nhost a {\n  vm v {\n    host b\n  }\n}\n")
    assert (problem.code, at(problem.span)) == ("F001", (5, 5))
    assert problem.message == "`host` is already set (on line 3)"


def test_a_key_given_twice():
    problem = only("fleet f {\n  domain a\n  domain b\n}\n")
    assert (problem.code, at(problem.span)) == ("F001", (3, 3))
    problem = only("fleet f {\n}\nfleet g {\n}\n")
    assert (problem.code, at(problem.span)) == ("F001", (3, 1))


def test_a_name_declared_twice():
    fleet, diagnostics = dsl(
        "fleet f {\n}\nhost a {\n  vm v {\n  }\n}\nhost b {\n  vm v {\n  }\n}\n"
    )
    assert found(diagnostics) == [("F102", 8, 6)]
    assert diagnostics[0].message == "duplicate name `v`: `vm v` is declared on line 4"
    assert [vm.host for vm in fleet.vms] == ["a"]


def test_a_missing_fleet_statement():
    problem = only("host a {\n}\n")
    assert (problem.code, at(problem.span)) == ("F004", (1, 1))
    assert problem.message == "missing `fleet` statement"


# -- the same codes as TOML, located in the .fleet file ---------------------------


MISTAKES = [
    # (TOML, DSL, code): one mistake written in both formats
    ('[fleet]\nname = "f"\nsytem = "x"\n', "fleet f {\n  sytem x\n}\n", "F002"),
    ('[fleet]\nname = "f"\njournal = "yes"\n', "fleet f {\n  journal yes\n}\n", "F003"),
    (
        '[fleet]\nname = "f"\n[vms.v]\nmem = 1\n',
        "fleet f {\n}\nvm v {\n  mem 1\n}\n",
        "F004",
    ),
    ('[fleet]\nname = "f"\nstore = "nfs"\n', "fleet f {\n  store nfs\n}\n", "F005"),
    (
        '[fleet]\nname = "f"\n[vms.v]\nhost = "h"\nvcpu = "2"\n',
        'fleet f {\n}\nvm v {\n  host h\n  vcpu "2"\n}\n',
        "F003",
    ),
]


@pytest.mark.parametrize("toml_text, dsl_text, code", MISTAKES)
def test_a_mistake_has_the_same_code_in_both_formats(toml_text, dsl_text, code):
    _, in_toml = load_toml(Source("fleet.toml", toml_text))
    _, in_dsl = dsl(dsl_text)
    assert [d.code for d in in_toml] == [d.code for d in in_dsl] == [code]
    assert in_dsl[0].span.source.name == "fleet.fleet"
    assert "_" not in in_dsl[0].message + (in_dsl[0].help or "")


def test_every_problem_in_one_run_with_dsl_spelling():
    text = """\
fleet demo {
  sytem x86_64-linux
  nix-path flak
}

network lan {
  ipv4 10.0.0.0/24 gateway
}

hots a {
}

host b {
  vm c {
    vcpu two
    mem = 512
    share x -> /y
    mem 1
  }
}
"""
    fleet, diagnostics = dsl(text)
    assert found(diagnostics) == [
        ("F001", 7, 20),
        ("F001", 16, 9),
        ("F001", 18, 5),
        ("F002", 2, 3),
        ("F002", 10, 1),
        ("F003", 15, 10),
        ("F004", 17, 5),
        ("F005", 3, 12),
    ]
    by_code = {d.code: d for d in diagnostics}
    assert (
        by_code["F005"].message
        == "`nix-path` must be one of flake, channel, none, not `flak`"
    )
    assert by_code["F005"].help == "did you mean `flake`?"
    assert by_code["F003"].message == (
        "wrong type for `vcpu` in `vm c`: expected an integer, found `two`"
    )
    assert by_code["F003"].help == "write `vcpu 1`"
    assert fleet is not None and fleet.vms[0].mem == 512


def test_checks_locate_their_findings_in_the_fleet_file():
    fleet, _ = dsl(
        "fleet f {\n}\nnetwork lan {\n  ipv4 10.0.0.0/24\n}\nhost h {\n"
        "  vm a {\n    interface lan 10.0.0.5\n  }\n"
        "  vm b {\n    interface lan 10.0.0.5\n  }\n}\n"
    )
    duplicates = [d for d in checks.run(fleet) if d.code == "F203"]
    assert [d.span.location() for d in duplicates] == ["fleet.fleet:11:19"]
    assert "fleet.fleet:8:19" in duplicates[0].label
