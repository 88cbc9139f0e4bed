"""`to_toml` and `to_fleet`: the model as text that reads back to the same model.

Expected texts below were written by hand from the schema's key order.
"""

from __future__ import annotations

import dataclasses

import pytest

from fleetc.convert import to_fleet, to_toml
from fleetc.frontend.dsl import words as dsl_words
from fleetc.frontend import schema
from fleetc.frontend.dsl import load_dsl
from fleetc.frontend.toml import load_toml
from fleetc.core.model import (
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
from fleetc.core.source import Source

from tests.support.paths import SAMPLES


def read_toml(text: str) -> Fleet:
    fleet, diagnostics = load_toml(Source("fleet.toml", text))
    assert diagnostics == [], diagnostics
    return fleet


def read_fleet(text: str) -> Fleet:
    fleet, diagnostics = load_dsl(Source("fleet.fleet", text))
    assert diagnostics == [], [
        (d.code, d.message, d.span.line_col) for d in diagnostics
    ]
    return fleet


def both_ways(fleet: Fleet) -> None:
    assert read_toml(to_toml(fleet)) == fleet
    assert read_fleet(to_fleet(fleet)) == fleet


SMALL = """\
[fleet]
name = "tiny"
system = "aarch64-linux"

[networks.lan]
ipv4 = "10.1.0.0/24"

[hosts.h1]
uplink = "eth0"
interfaces = [{ network = "lan", ipv4 = "10.1.0.2" }]

[vms.a]
host = "h1"
system = "x86_64-linux"
mem = 256
interfaces = [{ network = "lan", ipv4 = false }]
shares = [{ tag = "t", source = "my dir", mount = "/m", read_only = true }]
modules = ["./vm a.nix", "inputs.x.nixosModules.y"]

[vms.b]
host = "elsewhere"
"""

SMALL_FLEET = """\
fleet tiny {
  system aarch64-linux
}

network lan {
  ipv4 10.1.0.0/24
}

host h1 {
  uplink eth0
  interface lan ipv4 10.1.0.2

  vm a {
    system x86_64-linux
    mem 256
    module "./vm a.nix"
    module inputs.x.nixosModules.y
    interface lan ipv4 false
    share t "my dir" -> /m read-only true
  }
}

vm b {
  host elsewhere
}
"""

SMALL_TOML = """\
[fleet]
name = "tiny"
system = "aarch64-linux"

[networks.lan]
ipv4 = "10.1.0.0/24"

[hosts.h1]
uplink = "eth0"

[[hosts.h1.interfaces]]
network = "lan"
ipv4 = "10.1.0.2"

[vms.a]
host = "h1"
system = "x86_64-linux"
mem = 256
modules = ["vm a.nix", "inputs.x.nixosModules.y"]

[[vms.a.interfaces]]
network = "lan"
ipv4 = false

[[vms.a.shares]]
tag = "t"
source = "my dir"
mount = "/m"
read_only = true

[vms.b]
host = "elsewhere"
"""


def test_a_small_fleet_as_dsl():
    assert to_fleet(read_toml(SMALL)) == SMALL_FLEET


def test_a_small_fleet_as_toml():
    assert to_toml(read_toml(SMALL)) == SMALL_TOML


def test_a_small_fleet_reads_back_from_both():
    both_ways(read_toml(SMALL))


FLEET_FILES = sorted([*SAMPLES.glob("*/fleet.toml"), *SAMPLES.glob("*/fleet.fleet")])


@pytest.mark.parametrize(
    "sample", FLEET_FILES, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_sample_converts_both_ways(sample):
    reader = read_fleet if sample.suffix == ".fleet" else read_toml
    fleet = reader(sample.read_text())
    both_ways(fleet)
    assert to_fleet(fleet) == to_fleet(reader(sample.read_text()))  # deterministic


def test_vms_keep_their_order_when_hosts_interleave():
    fleet = read_toml(
        '[fleet]\nname = "f"\n[hosts.h1]\n[hosts.h2]\n'
        '[vms.a]\nhost = "h1"\n[vms.b]\nhost = "h2"\n[vms.c]\nhost = "h1"\n'
    )
    text = to_fleet(fleet)
    assert "\nvm c {\n  host h1\n}\n" in text  # after h2's VMs: at the top level
    assert [vm.name for vm in read_fleet(text).vms] == ["a", "b", "c"]
    both_ways(fleet)


def test_systems_are_written_where_they_differ_from_the_fleets():
    fleet = Fleet(
        name="f",
        system="aarch64-linux",
        hosts=(
            Host(name="h", system="aarch64-linux"),
            Host(name="g", system="riscv64-linux"),
        ),
        vms=(Vm(name="v", host="h", system="x86_64-linux"),),
    )
    text = to_toml(fleet)
    assert text.count("system = ") == 3  # the fleet's, g's and v's
    both_ways(fleet)


# Strings that need care in one format or the other.
AWKWARD = [
    "a b",
    "true",
    "false",
    "->",
    "",
    "#x",
    "a#b",
    "=",
    "x\ny",
    "tab\there\r",
    'quote"q',
    "back\\slash",
    "\u00e9 \u00fc \U0001f600",
    "\x7f\x01\x1b",
    "\u2028\u0085",
    "{}",
    '"',
    "12",
    "-5",
    "./x",
    "${x}",
    "inputs.x",
    "10.0.0.1",
    "0123456789abcdef0123456789abcdef",
]


@pytest.mark.parametrize("text", AWKWARD, ids=repr)
def test_awkward_strings_read_back_unchanged(text):
    fleet = Fleet(
        name=text,
        domain=text,
        modules=(ModuleRef(text=text),),
        networks=(Network(name=text, ipv4=text, dns=(text, text)),),
        hosts=(
            Host(
                name=text,
                system=text,
                uplink=text,
                interfaces=(HostInterface(network=text, ipv4=text),),
            ),
        ),
        vms=(
            Vm(
                name=text,
                host=text,
                system="x86_64-linux",
                hypervisor=text,
                interfaces=(Interface(network=text, ipv6=text, mac=text, id=text),),
                shares=(Share(tag=text, source=text, mount=text, socket=text),),
                volumes=(Volume(image=text, mount=text),),
            ),
        ),
    )
    both_ways(fleet)


def test_literals():
    assert dsl_words.literal("br0") == "br0"
    assert dsl_words.literal("/srv/web") == "/srv/web"
    assert dsl_words.literal("git+https://x/y?ref=main") == "git+https://x/y?ref=main"
    assert dsl_words.literal("a b") == '"a b"'
    assert dsl_words.literal("true") == '"true"'
    assert dsl_words.literal("->") == '"->"'
    assert dsl_words.literal("") == '""'
    assert dsl_words.literal('x"\\\n\x01') == '"x\\"\\\\\\n\\u0001"'


def test_numbers_and_booleans_stay_strings_where_strings_belong():
    fleet = Fleet(name="f", hosts=(Host(name="h", system="x86_64-linux", uplink="42"),))
    assert "uplink 42" in to_fleet(fleet)
    both_ways(fleet)
    address = Fleet(
        name="f",
        hosts=(
            Host(
                name="h",
                system="x86_64-linux",
                interfaces=(HostInterface(network="n", ipv4="false", ipv6=False),),
            ),
        ),
    )
    assert 'interface n ipv4 "false" ipv6 false' in to_fleet(address)
    both_ways(address)


def test_every_model_field_has_a_key_to_be_written_under():
    """What the schema does not declare, convert could not preserve."""
    declared = {}
    stack = [schema.DOCUMENT]
    while stack:
        section = stack.pop()
        if section.model is not None:
            fields = declared.setdefault(section.model, set())
            fields.update(key.field for key in section.keys)
            fields.add(section.name_field)
        stack += [key.section for key in section.keys if key.section is not None]
    declared[Fleet].update(key.name for key in schema.DOCUMENT.keys)
    for model, names in declared.items():
        kept = {f.name for f in dataclasses.fields(model) if f.compare}
        assert kept <= names, (model.__name__, kept - names)
