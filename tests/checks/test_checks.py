"""The whole-fleet checks (contract section 3), through the real TOML frontend:
what a case in cases/ (test_cases.py) cannot say, such as messages and help,
several problems at once, and fleets of any shape."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetc import checks
from fleetc.core.diagnostics import CODES, render_text
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
from fleetc.core.pipeline import compile
from fleetc.core.placement import Placement
from fleetc.core.source import Source

from tests.checks.sample import SAMPLE
from tests.checks.test_cases import diagnose, where
from tests.support.paths import ROOT


def test_contract_sample_is_clean():
    assert [render_text(d) for d in diagnose(SAMPLE)] == []


# Samples whose recipe warns by design (README, "Recipes").
SAMPLE_WARNINGS = {"secrets": ["F920"], "homelab": ["F920"]}


@pytest.mark.parametrize("path", sorted((ROOT / "samples").glob("*/fleet.toml")))
def test_bundled_samples_are_clean(path):
    found = diagnose(path.read_text())
    expected = SAMPLE_WARNINGS.get(path.parent.name, [])
    assert [d.code for d in found if not d.is_error] == expected
    assert [render_text(d) for d in found if d.is_error] == []


def test_duplicate_address_names_the_first_user():
    text = SAMPLE.replace('ipv4 = "10.0.0.10"', 'ipv4 = "10.0.0.2"')
    [duplicate] = [d for d in diagnose(text) if d.code == "F203"]
    assert duplicate.message == "duplicate IPv4 address 10.0.0.2"
    assert duplicate.label == "also used by host `server1` (fleet.toml:48:8)"
    assert duplicate.help == "leave ipv4 out to have one allocated from 10.0.0.0/24"


def test_uppercase_machine_id_shows_the_lowercase_form():
    text = SAMPLE.replace("0123456789abcdef", "0123456789ABCDEF", 1)
    [upper] = [d for d in diagnose(text) if d.code == "F111"]
    assert upper.help == "write it in lowercase: 0123456789abcdef0123456789abcdef"


def test_vm_sharing_its_hosts_machine_id_explains_the_journal_clash():
    text = SAMPLE.replace(
        "0123456789abcdef0123456789abcdef", "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"
    )
    [clash] = [d for d in diagnose(text) if d.code == "F113"]
    assert "clobber the host's own journal" in clash.message
    assert "L+ /var/log/journal/5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a" in clash.message
    assert clash.label == "also used by host `server1` (fleet.toml:41:14)"


def test_network_with_host_bits_suggests_the_network_address():
    text = SAMPLE.replace('ipv4 = "10.0.0.0/24"', 'ipv4 = "10.0.0.7/24"')
    [bad] = [d for d in diagnose(text) if d.code == "F211"]
    assert bad.help == "did you mean 10.0.0.0/24?"


def test_misspelt_host_suggests_the_declared_one():
    text = SAMPLE.replace('host = "server1"', 'host = "server"')
    [unknown] = [d for d in diagnose(text) if d.code == "F006"]
    assert unknown.help == "did you mean `server1`?"


def test_universal_mac_suggests_a_local_one():
    text = SAMPLE.replace("02:00:00:00:00:10", "00:16:3e:00:00:10")
    [universal] = [d for d in diagnose(text) if d.code == "F304"]
    assert (
        universal.help == "use a locally administered address, e.g. 02:16:3e:00:00:10"
    )


def test_overlap_names_the_other_network():
    text = SAMPLE + '\n[networks.wide]\nipv4 = "10.0.0.0/16"\n'
    [overlap] = [d for d in diagnose(text) if d.code == "F208"]
    assert overlap.label == "overlaps network `wide` (fleet.toml:81:8)"


def test_several_problems_are_all_reported():
    text = (
        SAMPLE.replace("vcpu = 2", "vcpu = 0")
        .replace('mac = "02:00:00:00:00:10"', 'mac = "03:00:00:00:00:10"')
        .replace('hypervisor = "cloud-hypervisor"\nvcpu', 'hypervisor = "xen"\nvcpu')
        .replace("size = 4096", "size = -1")
    )
    found = sorted(where(d) for d in diagnose(text))
    assert found == [
        ("F005", "error", 54, 8),
        ("F302", "error", 64, 7),
        ("F505", "error", 78, 8),
        ("F603", "error", 53, 14),
    ]


# Any value the model can hold gives diagnostics, never an exception: built
# directly (no frontend), so the checks cannot lean on what a frontend rejects.


def texts(*plausible: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(plausible), st.text(max_size=12))


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


def tuples(strategy: st.SearchStrategy) -> st.SearchStrategy[tuple]:
    return st.lists(strategy, max_size=3).map(tuple)


NUMBERS = st.integers(min_value=-3, max_value=2**33)
ADDRESSES = st.one_of(
    st.none(), st.just(False), texts("10.0.0.5", "10.0.0.0", "fd00::1", "10.0.0.5/24")
)
MODULES = tuples(st.builds(ModuleRef, texts("inputs.x.m", "inputs.", "inputs.y")))
NETWORKS = st.builds(
    Network,
    name=texts("lan", "wan"),
    ipv4=maybe(texts("10.0.0.0/24", "10.0.0.1/24", "10.0.0.0/8")),
    gateway4=maybe(texts("10.0.0.1", "10.0.0.255")),
    ipv6=maybe(texts("fd00::/64", "fd00::/129")),
    gateway6=maybe(texts("fe80::1", "fd00::")),
    dns=tuples(texts("10.0.0.1")),
    mode=texts("bridge", "routed"),
    bridge=maybe(texts("br0", "vm-a")),
    vlan=maybe(NUMBERS),
    reserved=tuples(texts("10.0.0.5", "10.0.0.9-10.0.0.3", "fd00::/120", "-")),
)
INTERFACES = st.builds(
    Interface,
    network=texts("lan", "wan"),
    ipv4=ADDRESSES,
    ipv6=ADDRESSES,
    mac=maybe(texts("02:00:00:00:00:01", "03:00:00:00:00:01", "00:16:3e:00:00:01")),
    id=maybe(texts("vm-a", "eno1", "br0", ".")),
    type=texts("tap", "user", "macvtap", "bridge"),
    macvtap_link=maybe(texts("eno1")),
    macvtap_mode=maybe(texts("bridge", "vepa")),
)
SHARES = st.builds(
    Share,
    tag=texts("journal", "ro-store", "srv"),
    source=texts("/srv", "../x", ""),
    mount=texts("/srv", "/var/log/journal", "srv/../x"),
    proto=texts("virtiofs", "9p"),
    socket=maybe(texts("journal.sock", "a-virtiofs-ro-store.sock")),
)
VOLUMES = st.builds(
    Volume,
    image=texts("var.img", "/data/x.img"),
    mount=maybe(texts("/var", "/nix/.ro-store")),
    size=maybe(NUMBERS),
)
MACHINE_IDS = maybe(texts("0" * 32, "ab" * 16, "AB" * 16))
HOSTS = st.builds(
    Host,
    name=texts("h", "a"),
    system=st.just("x86_64-linux"),
    machine_id=MACHINE_IDS,
    uplink=maybe(texts("eno1")),
    modules=MODULES,
    interfaces=tuples(
        st.builds(HostInterface, network=texts("lan"), ipv4=ADDRESSES, ipv6=ADDRESSES)
    ),
)
VMS = st.builds(
    Vm,
    name=texts("a", "b", "h"),
    host=texts("h"),
    system=st.just("x86_64-linux"),
    machine_id=MACHINE_IDS,
    hypervisor=texts("qemu", "vfkit", "cloud-hypervisor"),
    vcpu=NUMBERS,
    mem=NUMBERS,
    vsock_cid=maybe(NUMBERS),
    modules=MODULES,
    interfaces=tuples(INTERFACES),
    shares=tuples(SHARES),
    volumes=tuples(VOLUMES),
)
FLEETS = st.builds(
    Fleet,
    name=st.just("t"),
    journal=st.booleans(),
    store=st.sampled_from(["virtiofs", "9p", "disk"]),
    modules=MODULES,
    inputs=tuples(st.builds(FlakeInput, name=texts("x", "nixpkgs"), url=st.just("u"))),
    networks=tuples(NETWORKS),
    hosts=tuples(HOSTS),
    vms=tuples(VMS),
)


@settings(max_examples=300, deadline=None)
@given(FLEETS)
def test_any_model_gives_coded_diagnostics_not_exceptions(fleet):
    for diagnostic in checks.run(fleet) + checks.complete(fleet):
        assert diagnostic.code in CODES
        assert diagnostic.message


def test_compile_stops_before_allocation_on_errors_and_writes_nothing():
    """A missing tap id is allocated, not reported; a check error stops the run."""
    text = SAMPLE.replace('id = "vm-web"\n', "").replace("vcpu = 2", "vcpu = 0")
    result = compile(Source("fleet.toml", text), Placement(PurePosixPath("/fleet")))
    assert [where(d) for d in result.diagnostics] == [("F005", "error", 54, 8)]
    assert result.files == {}
    assert result.lock_text is None


def test_compile_allocates_what_is_left_out():
    text = SAMPLE.replace('id = "vm-web"\n', "")
    result = compile(Source("fleet.toml", text), Placement(PurePosixPath("/fleet")))
    assert result.diagnostics == []
    assert 'id = "vm-web";' in result.files["vms/web.nix"]
    assert 'id = "vm-web"' in result.lock_text
