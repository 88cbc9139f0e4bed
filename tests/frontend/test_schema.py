"""The JSON Schema of fleet.toml (`fleetc schema`): generated from the
frontend's schema, shipped as data/fleet.schema.json, and it accepts every
sample while a real validator (jsonschema) rejects a typo'd key and a wrong type."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import tomli

from tests.support.paths import ROOT, SAMPLES

SHIPPED = ROOT / "compiler" / "fleetc" / "data" / "fleet.schema.json"


def fleetc_schema() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", "schema"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(fleetc_schema())
    jsonschema.Draft202012Validator.check_schema(schema)  # a valid schema itself
    return jsonschema.Draft202012Validator(schema)


def test_shipped_schema_is_what_fleetc_generates():
    """data/fleet.schema.json is never edited by hand: regenerate it with
    `fleetc schema > compiler/fleetc/data/fleet.schema.json`."""
    assert SHIPPED.read_text() == fleetc_schema()


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.iterdir()))
def test_every_sample_is_valid(validator, sample):
    fleet = tomli.loads((SAMPLES / sample / "fleet.toml").read_text())
    assert [e.message for e in validator.iter_errors(fleet)] == []


def basic() -> dict:
    return tomli.loads((SAMPLES / "basic" / "fleet.toml").read_text())


def first_vm(fleet: dict) -> dict:
    return next(iter(fleet["vms"].values()))


def test_a_typod_key_is_rejected(validator):
    fleet = basic()
    vm = first_vm(fleet)
    vm["hots"] = vm.pop("host")
    messages = [e.message for e in validator.iter_errors(fleet)]
    assert any("'hots' was unexpected" in m for m in messages), messages
    assert any("'host' is a required property" in m for m in messages), messages


def test_a_wrong_type_is_rejected(validator):
    fleet = basic()
    first_vm(fleet)["vcpu"] = "2"
    [wrong] = validator.iter_errors(fleet)
    assert wrong.message == "'2' is not of type 'integer'"
    assert list(wrong.absolute_path)[-1] == "vcpu"


def test_defaults_need_no_host_but_take_only_vm_keys(validator):
    fleet = basic()
    fleet["defaults"] = {"vm": {"vcpu": 2}}
    assert list(validator.iter_errors(fleet)) == []
    fleet["defaults"]["vm"]["vcpus"] = 2
    assert len(list(validator.iter_errors(fleet))) == 1


def test_a_word_outside_the_allowed_ones_is_rejected(validator):
    fleet = basic()
    fleet["fleet"]["store"] = "nfs"
    [wrong] = validator.iter_errors(fleet)
    assert "is not one of ['virtiofs', '9p', 'disk']" in wrong.message


def test_the_guide_shows_the_schema_line_and_taplo_configuration():
    readme = Path(ROOT / "docs" / "guide" / "using.md").read_text()
    assert "#:schema" in readme and "[[rule]]" in readme
    assert "fleetc schema" in readme


def sections(part=None, seen=None) -> list:
    """Every section of the fleet file, once."""
    from fleetc.frontend import schema

    part = part or schema.DOCUMENT
    seen = seen if seen is not None else []
    if all(part is not other for other in seen):
        seen.append(part)
        for key in part.keys:
            if key.section is not None:
                sections(key.section, seen)
    return seen


def test_every_key_says_what_it_means():
    from fleetc.frontend.key_docs import DOCS

    declared = {part.title: {key.name for key in part.keys} for part in sections()}
    assert {title: set(keys) for title, keys in DOCS.items()} == declared


def test_editors_see_each_keys_meaning():
    shipped = json.loads(SHIPPED.read_text())
    vm = shipped["properties"]["vms"]["additionalProperties"]["properties"]
    assert "or false: its own." in vm["machine_id"]["description"]
    assert "Produces: vms/<vm>.nix: `microvm.mem`" in vm["mem"]["description"]
    assert vm["mem"]["default"] == 512
    router = shipped["properties"]["networks"]["additionalProperties"]["properties"]
    assert "routes this network" in router["router"]["description"]
