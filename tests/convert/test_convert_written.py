"""`fleetc convert` keeps what the source wrote (issue 23.5): [defaults.vm] as
[defaults.vm], a default spelt out as spelt out, in both directions; and the
DSL it writes is compact, as people write it."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator

import pytest

from fleetc.convert import to_fleet, to_toml
from fleetc.core.model import Fleet, Node
from fleetc.core.source import Source
from fleetc.frontend.dsl import load_dsl
from fleetc.frontend.toml import load_toml

from tests.support.paths import SAMPLES

TOML_SAMPLES = sorted(SAMPLES.glob("*/fleet.toml"))
DSL_SAMPLES = sorted(SAMPLES.glob("*/fleet.fleet"))


def read(text: str, name: str) -> Fleet:
    load = load_dsl if name.endswith(".fleet") else load_toml
    fleet, diagnostics = load(Source(name, text))
    assert fleet is not None and diagnostics == [], [
        (d.code, d.message) for d in diagnostics
    ]
    return fleet


def nodes(value: Any, path: str = "") -> Iterator[tuple[str, Node]]:
    """Every node of a model with where it is, the fleet's [defaults.vm] too."""
    if isinstance(value, Node):
        yield path, value
        for field in dataclasses.fields(value):
            if field.name not in ("span", "spans", "written", "retired"):
                yield from nodes(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from nodes(item, f"{path}[{index}]")


def what_was_written(fleet: Fleet) -> dict[str, Any]:
    """Per node, the fields its own table wrote; and [defaults.vm] as written."""
    found = {path: node.written for path, node in nodes(fleet)}
    defaults = fleet.vm_defaults
    found["defaults"] = defaults.values if defaults is not None else None
    return found


def round_trip(text: str, name: str) -> tuple[Fleet, Fleet]:
    """The fleet read from `name`, and read again after a trip through the
    other format and back."""
    fleet = read(text, name)
    if name.endswith(".fleet"):
        back = read(to_fleet(read(to_toml(fleet), "fleet.toml")), "fleet.fleet")
    else:
        back = read(to_toml(read(to_fleet(fleet), "fleet.fleet")), "fleet.toml")
    return fleet, back


@pytest.mark.parametrize(
    "sample", TOML_SAMPLES + DSL_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_a_round_trip_keeps_the_model_and_every_written_value(sample):
    fleet, back = round_trip(sample.read_text(), sample.name)
    assert back == fleet
    assert what_was_written(back) == what_was_written(fleet)


DEFAULTS_SPELT_OUT = """\
[fleet]
name = "f"
system = "x86_64-linux"
microvm = "github:microvm-nix/microvm.nix"
journal = true
state_dir = "/var/lib/microvms"

[defaults.vm]
mem = 2048
vcpu = 2
shares = [{ tag = "etc", source = "etc", mount = "/etc" }]

[networks.lan]
ipv4 = "10.0.0.0/24"
mode = "bridge"

[hosts.h]
system = "x86_64-linux"

[vms.a]
host = "h"
hypervisor = "qemu"
mem = 512
journal = "share"
autostart = true

[vms.b]
host = "h"
"""


def test_defaults_and_values_equal_to_defaults_survive_both_ways():
    fleet = read(DEFAULTS_SPELT_OUT, "fleet.toml")
    dsl = to_fleet(fleet)
    for spelt in (
        "system x86_64-linux",
        "microvm github:microvm-nix/microvm.nix",
        "journal true",
        "state-dir /var/lib/microvms",
        "defaults vm {",
        "mode bridge",
        "hypervisor qemu",
        "mem 512",
        "journal share",
        "autostart true",
    ):
        assert spelt in dsl, spelt
    assert dsl.count("share etc etc -> /etc") == 1  # in [defaults.vm] only
    assert "\n  vm b\n" in dsl  # b takes mem and shares from the defaults
    toml = to_toml(read(dsl, "fleet.fleet"))
    assert toml == to_toml(fleet)
    assert "[defaults.vm]\nvcpu = 2\nmem = 2048\n" in toml
    assert "[[defaults.vm.shares]]" in toml and "[defaults]" not in toml
    assert toml.count('system = "x86_64-linux"') == 2  # the fleet's and h's


def test_a_vm_inherits_without_writing_what_the_defaults_give():
    fleet = read(DEFAULTS_SPELT_OUT, "fleet.toml")
    b = next(vm for vm in fleet.vms if vm.name == "b")
    assert (b.mem, len(b.shares)) == (2048, 1)  # the model holds the values
    assert b.written == {"host"}  # and knows they are not b's own


# Hand-made DSL is 59 % of its TOML (issue 23); convert's must be no longer.
COMPACT = 0.60
# basic spells out every [fleet] key at its default on purpose (the contract's
# "every kind of setting once"): `state_dir = "/var/lib/microvms"` is as long
# as `state-dir /var/lib/microvms`, and keeping every written value keeps it.
SPELT_OUT = {"basic": 0.76}


@pytest.mark.parametrize("sample", TOML_SAMPLES, ids=lambda p: p.parent.name)
def test_the_dsl_is_compact(sample):
    toml = sample.read_text()
    dsl = to_fleet(read(toml, "fleet.toml"))
    limit = SPELT_OUT.get(sample.parent.name, COMPACT)
    assert len(dsl.encode()) <= limit * len(toml.encode())


def test_the_samples_together_are_compact():
    toml = sum(len(path.read_bytes()) for path in TOML_SAMPLES)
    dsl = sum(
        len(to_fleet(read(path.read_text(), "fleet.toml")).encode())
        for path in TOML_SAMPLES
    )
    assert dsl <= COMPACT * toml


def test_compact_forms_read_back_as_written():
    fleet = read(DEFAULTS_SPELT_OUT, "fleet.toml")
    dsl = to_fleet(fleet)
    assert "network lan 10.0.0.0/24 mode bridge\n" in dsl  # by shape, one line
    assert "defaults vm {\n" in dsl  # [defaults.vm] on its parent's line
    assert read(dsl, "fleet.fleet") == fleet
