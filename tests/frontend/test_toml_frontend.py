"""The TOML frontend: contract section 1 into the model, with located diagnostics.

Expected line:col positions were counted by hand from the texts below.
"""

from __future__ import annotations

import datetime
import random
import re

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetc.core.diagnostics import CODES
from fleetc.frontend import schema
from fleetc.frontend.toml import load_toml
from fleetc.frontend.tomlspans import index_spans
from fleetc.core.model import Fleet, ModuleRef
from fleetc.core.source import Source

# The contract's sample (section 1), comments included, unchanged.
SAMPLE = """\
[fleet]
name = "example"                          # required
domain = "example.org"                    # optional: networking.domain everywhere
system = "x86_64-linux"                   # default for hosts and VMs
nixpkgs = "github:NixOS/nixpkgs/nixos-25.05"  # flake URL of input `nixpkgs`
microvm = "github:microvm-nix/microvm.nix" # flake URL of input `microvm`
flake = "git+https://git.example.org/org/fleet"  # where this fleet's flake lives:
                                          # microvm.vms.<vm>.updateFlake, deploy checks
state_dir = "/var/lib/microvms"           # default
output = "generated"                      # default, relative to the fleet file
journal = true                            # default: the FAQ's journald sharing
nix_path = "flake"                        # "flake" | "channel" | "none"  (FAQ: nixPath)
store = "virtiofs"                        # host /nix/store share: "virtiofs" | "9p" | "disk"
network_stack = "networkd"                # "networkd" | "none" (the fleet configures networking itself)
modules = ["modules/common.nix"]          # into every host and VM
vm_modules = ["modules/vm.nix"]           # into every VM
host_modules = []                         # into every host

[fleet.inputs.sops-nix]                   # extra flake inputs, passed to modules as `inputs`
url = "github:Mic92/sops-nix"
follows_nixpkgs = true                    # inputs.nixpkgs.follows = "nixpkgs"

[defaults.vm]                             # any VM key; a VM's own value wins
hypervisor = "cloud-hypervisor"
mem = 1024

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
ipv6 = "fd12:3456:789a::/64"
gateway6 = "fd12:3456:789a::1"
dns = ["10.0.0.1"]
mode = "bridge"                           # "bridge" (taps on a host bridge) | "routed"
bridge = "br0"
vlan = 42                                 # optional: the host puts <uplink>.<vlan> on the bridge
reserved = ["10.0.0.240-10.0.0.249"]     # in use outside the fleet: never allocated

[hosts.server1]
machine_id = "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"  # optional; checked against every VM's
system = "x86_64-linux"
uplink = "eno1"                           # physical port put on the bridge
modules = ["hosts/server1.nix", "inputs.disko.nixosModules.disko"]  # files (relative to the
                                          # fleet file) or modules of flake inputs

[[hosts.server1.interfaces]]              # the host's own addresses on a network
network = "lan"
ipv4 = "10.0.0.2"

[vms.web]
host = "server1"                          # required
machine_id = "0123456789abcdef0123456789abcdef"  # optional: allocated and locked if absent
hypervisor = "cloud-hypervisor"           # one of microvm.nix's hypervisors; default qemu
vcpu = 2
mem = 1024                                # MiB
autostart = true
vsock_cid = 10                            # optional
modules = ["vms/web.nix"]

[[vms.web.interfaces]]
network = "lan"
ipv4 = "10.0.0.10"                        # optional: allocated from the network, locked
ipv6 = "fd12:3456:789a::10"               # optional: allocated, locked
mac = "02:00:00:00:00:10"                 # optional: derived, locked
id = "vm-web"                             # optional: derived; the tap name on the host
type = "tap"                              # tap | macvtap | bridge | user

[[vms.web.shares]]
tag = "srv"
source = "/srv/web"                       # absolute, or relative to <state_dir>/<vm>
mount = "/srv"
proto = "virtiofs"                        # default virtiofs
socket = "srv.sock"                       # optional; microvm.nix's default otherwise

[[vms.web.volumes]]
image = "var.img"
mount = "/var"
size = 4096                               # MiB
"""

FLEET = '[fleet]\nname = "f"\n'


def load(text: str, name: str = "fleet.toml"):
    return load_toml(Source(name, text))


def at(span) -> tuple[int, int]:
    return span.line_col


def found(diagnostics) -> list[tuple[str, int, int]]:
    return sorted((d.code, *d.span.line_col) for d in diagnostics)


# -- the contract's sample ------------------------------------------------------


def test_sample_loads_without_diagnostics():
    fleet, diagnostics = load(SAMPLE)
    assert diagnostics == []
    assert fleet.name == "example" and fleet.domain == "example.org"
    assert fleet.nixpkgs == "github:NixOS/nixpkgs/nixos-25.05"
    assert fleet.nix_path == "flake" and fleet.store == "virtiofs"
    assert fleet.modules == (ModuleRef(text="modules/common.nix"),)
    assert fleet.host_modules == () and fleet.source_name == "fleet.toml"
    [sops] = fleet.inputs
    assert (sops.name, sops.url, sops.follows_nixpkgs) == (
        "sops-nix",
        "github:Mic92/sops-nix",
        True,
    )


def test_sample_networks_hosts_vms():
    fleet, _ = load(SAMPLE)
    lan = fleet.network("lan")
    assert (lan.ipv4, lan.gateway6, lan.vlan) == (
        "10.0.0.0/24",
        "fd12:3456:789a::1",
        42,
    )
    assert lan.dns == ("10.0.0.1",) and lan.reserved == ("10.0.0.240-10.0.0.249",)
    host = fleet.host("server1")
    assert host.modules[1].text == "inputs.disko.nixosModules.disko"
    assert host.modules[1].is_input and host.interfaces[0].ipv4 == "10.0.0.2"
    [web] = fleet.vms_on("server1")
    assert (web.name, web.hypervisor, web.vcpu, web.mem, web.vsock_cid) == (
        "web",
        "cloud-hypervisor",
        2,
        1024,
        10,
    )
    assert web.system == "x86_64-linux"
    nic = web.interfaces[0]
    assert (nic.network, nic.ipv4, nic.mac, nic.id, nic.type) == (
        "lan",
        "10.0.0.10",
        "02:00:00:00:00:10",
        "vm-web",
        "tap",
    )
    assert web.shares[0].socket == "srv.sock" and not web.shares[0].read_only
    assert (web.volumes[0].image, web.volumes[0].size) == ("var.img", 4096)


def test_sample_spans():
    fleet, _ = load(SAMPLE)
    web = fleet.vms[0]
    host = fleet.hosts[0]
    assert at(fleet.at("name")) == (2, 8)
    assert at(fleet.span) == (1, 2)
    assert at(fleet.inputs[0].span) == (19, 2)
    assert at(fleet.inputs[0].at("url")) == (20, 7)
    assert at(fleet.networks[0].at("vlan")) == (35, 8)
    assert at(host.at("modules", 1)) == (42, 33)
    assert at(host.modules[1].span) == (42, 33)
    assert at(host.interfaces[0].at("ipv4")) == (47, 8)
    assert at(web.span) == (49, 2)
    assert at(web.at("vcpu")) == (53, 8)
    assert at(web.at("hypervisor")) == (52, 14)  # its own value, not the default's
    assert at(web.interfaces[0].span) == (59, 3)
    assert at(web.interfaces[0].at("ipv4")) == (61, 8)
    assert at(web.at("interfaces", 0)) == (59, 3)
    assert at(web.shares[0].at("source")) == (69, 10)
    assert at(web.volumes[0].at("size")) == (77, 8)
    assert at(web.volumes[0].at("unwritten")) == (74, 3)  # the node itself


# -- building the model -----------------------------------------------------------


def test_defaults_vm_fill_in_and_lose_to_own_values():
    text = FLEET + (
        "[defaults.vm]\n"  # line 3
        "mem = 2048\n"
        'hypervisor = "firecracker"\n'
        "[vms.a]\n"  # line 6
        'host = "h"\n'
        "mem = 256\n"
        "[vms.b]\n"  # line 9
        'host = "h"\n'
    )
    fleet, diagnostics = load(text)
    assert diagnostics == []
    a, b = fleet.vms
    assert (a.mem, a.hypervisor, b.mem, b.hypervisor) == (
        256,
        "firecracker",
        2048,
        "firecracker",
    )
    assert at(a.at("mem")) == (8, 7)
    assert at(b.at("mem")) == (4, 7)
    assert at(b.at("hypervisor")) == (5, 14)


def test_a_bad_default_is_reported_once_not_per_vm():
    text = FLEET + '[defaults.vm]\nvcpu = "x"\nhost = 7\n[vms.a]\n[vms.b]\n'
    fleet, diagnostics = load(text)
    assert found(diagnostics) == [("F003", 4, 8), ("F003", 5, 8)]
    assert fleet.vms == ()  # no host at all, but that was already said once


def test_system_defaults_to_the_fleets():
    text = '[fleet]\nname = "f"\nsystem = "aarch64-linux"\n[hosts.h]\n[vms.v]\nhost = "h"\n'
    fleet, _ = load(text)
    assert fleet.hosts[0].system == fleet.vms[0].system == "aarch64-linux"
    assert at(fleet.vms[0].at("system")) == (3, 10)
    fleet, _ = load(FLEET + '[vms.v]\nhost = "h"\nsystem = "riscv64-linux"\n')
    assert fleet.vms[0].system == "riscv64-linux"


def test_inline_tables_equal_arrays_of_tables():
    tables = FLEET + (
        '[vms.v]\nhost = "h"\n'
        '[[vms.v.interfaces]]\nnetwork = "lan"\nipv4 = false\n'
        '[[vms.v.interfaces]]\nnetwork = "wan"\nipv6 = "fd00::2"\n'
        '[[vms.v.shares]]\ntag = "t"\nsource = "s"\nmount = "/m"\nread_only = true\n'
    )
    inline = FLEET + (
        '[vms.v]\nhost = "h"\n'
        'interfaces = [\n  { network = "lan", ipv4 = false },\n'
        '  { network = "wan", ipv6 = "fd00::2" },  # second\n]\n'
        'shares = [{ tag = "t", source = "s", mount = "/m", read_only = true }]\n'
    )
    from_tables, _ = load(tables)
    from_inline, diagnostics = load(inline)
    assert diagnostics == [] and from_inline == from_tables
    assert from_inline.vms[0].interfaces[0].ipv4 is False
    assert at(from_inline.vms[0].interfaces[1].span) == (7, 3)
    assert at(from_inline.vms[0].interfaces[1].at("ipv6")) == (7, 29)


def test_module_paths_lose_a_leading_dot_slash():
    fleet, _ = load(
        FLEET + 'modules = ["./vms/web.nix", "vms/web.nix", "inputs.x.y"]\n'
    )
    first, second, third = fleet.modules
    assert first == second == ModuleRef(text="vms/web.nix")
    assert third.text == "inputs.x.y"
    assert at(first.span) == (3, 12)


# -- diagnostics --------------------------------------------------------------------


def test_syntax_error_is_located():
    fleet, [problem] = load("[fleet]\nname = = 1\n")
    assert fleet is None and problem.code == "F001"
    assert at(problem.span) == (2, 8)
    assert "invalid value" in problem.message


def test_syntax_error_after_crlf_lines():
    _, [problem] = load('[fleet]\r\nname = "x"\r\nbad\r\n')
    assert (problem.code, *at(problem.span)) == ("F001", 3, 4)


def test_unknown_keys_suggest_or_list():
    text = FLEET + '[vms.web]\nhost = "h"\nmemory = 1\nzzz = 2\n[vm.x]\n'
    fleet, diagnostics = load(text)
    assert found(diagnostics) == [("F002", 5, 1), ("F002", 6, 1), ("F002", 7, 2)]
    by_line = {d.span.line_col[0]: d for d in diagnostics}
    assert by_line[5].help == "did you mean `mem`?"
    assert "vsock_cid" in by_line[6].help
    assert by_line[7].help == "did you mean `vms`?"
    assert fleet.vms[0].name == "web"


def test_wrong_types_are_reported_at_the_value_and_dropped():
    text = FLEET + (
        '[vms.web]\nhost = "h"\n'
        'vcpu = "2"\n'  # line 5
        'modules = ["a", 3]\n'
        "autostart = 1\n"
        '[[vms.web.interfaces]]\nnetwork = "lan"\nipv4 = true\n'  # line 10
    )
    fleet, diagnostics = load(text)
    assert found(diagnostics) == [
        ("F003", 5, 8),
        ("F003", 6, 17),
        ("F003", 7, 13),
        ("F003", 10, 8),
    ]
    vcpu = min(diagnostics, key=lambda d: d.span.start)
    assert "expected an integer, found a string" in vcpu.message
    assert vcpu.help == "write `vcpu = 2`"
    web = fleet.vms[0]
    assert (web.vcpu, web.modules, web.autostart) == (1, (), True)
    assert web.interfaces[0].ipv4 is None


def test_a_single_table_where_a_list_belongs():
    _, [problem] = load(
        FLEET + '[vms.w]\nhost = "h"\n[vms.w.interfaces]\nnetwork = "l"\n'
    )
    assert (problem.code, *at(problem.span)) == ("F003", 5, 2)
    assert "expected a list of tables, found a table" in problem.message


def test_missing_required_keys_at_the_table():
    text = FLEET + (
        "[fleet.inputs.x]\nfollows_nixpkgs = true\n"  # line 3
        "[vms.a]\nvcpu = 2\n"  # line 5
        '[vms.b]\nhost = "h"\n'
        'interfaces = [{ ipv4 = "10.0.0.1" }]\n'  # line 9
        'shares = [{ source = "/s", mount = "/m" }]\n'
        "[[vms.b.volumes]]\nsize = 1\n"  # line 11
    )
    fleet, diagnostics = load(text)
    assert found(diagnostics) == [
        ("F004", 3, 2),
        ("F004", 5, 2),
        ("F004", 9, 15),
        ("F004", 10, 11),
        ("F004", 11, 3),
    ]
    assert [vm.name for vm in fleet.vms] == ["b"]
    assert fleet.vms[0].interfaces == () and fleet.inputs == ()


def test_fleet_name_and_table_are_needed():
    fleet, [problem] = load("[fleet]\ndomain = 'x'\n")
    assert fleet is None and (problem.code, *at(problem.span)) == ("F004", 1, 2)
    fleet, [problem] = load('[vms.a]\nhost = "h"\n')
    assert fleet is None and (problem.code, *at(problem.span)) == ("F004", 1, 1)


def test_values_not_allowed():
    text = FLEET + 'store = "nfs"\n[networks.lan]\nmode = "brige"\n'
    fleet, diagnostics = load(text)
    assert found(diagnostics) == [("F005", 3, 9), ("F005", 5, 8)]
    store, mode = sorted(diagnostics, key=lambda d: d.span.start)
    assert "virtiofs, 9p, disk" in store.message
    assert mode.help == "did you mean `bridge`?"
    assert fleet.store == "virtiofs" and fleet.networks[0].mode == "bridge"


def test_nul_is_rejected_in_values_and_names():
    text = FLEET + 'domain = "a\\u0000b"\n[vms."x\\u0000"]\nhost = "h"\n'
    fleet, diagnostics = load(text)
    assert found(diagnostics) == [("F005", 3, 10), ("F005", 4, 6)]
    assert fleet.domain is None and fleet.vms == ()


def test_every_problem_in_one_run():
    text = FLEET + (
        'store = "nfs"\n[vms.a]\nhost = "h"\nvcpu = "x"\nbogus = 1\n[vms.b]\n'
    )
    fleet, diagnostics = load(text)
    assert [d.code for d in sorted(diagnostics, key=lambda d: d.span.start)] == [
        "F005",
        "F003",
        "F002",
        "F004",
    ]
    assert isinstance(fleet, Fleet) and fleet.vms[0].vcpu == 1


# -- tomlspans ------------------------------------------------------------------------

TRICKY = '''\
"a.b" = 1 # not a dotted key
site."google.com".x = true
ml = """
[not.a.header] # nor a comment
"" ""\\"""""
lit = \'\'\'
# still text [x]
\'\'\'
lit2 = \'\'\'it\'\'\'\'\'
when = 1979-05-27 07:32:00Z
commas = [ 1 ,2 # c
  , 3 ]
nics = [ # comment
  { net = "lan", ip = "1" }, # after an element
  # between elements
  {
    net = "wan",  # TOML 1.1: newlines in inline tables
  },
]
[[t]]
x = [[1, 2], [3]]
[t.sub]
y = 'q'
[[t]]
x = "second"
[[t.arr]]
z = 1
'''


def spans_of(text: str, path: tuple) -> tuple[str, str]:
    index = index_spans(Source("t.toml", text))
    key, value = index.key(path), index.value(path)
    return text[key.start : key.end], text[value.start : value.end]


@pytest.mark.parametrize(
    "path, key, value",
    [
        (("a.b",), '"a.b"', "1"),
        (("site", "google.com", "x"), "x", "true"),
        (("site", "google.com"), '"google.com"', '"google.com"'),
        (("ml",), "ml", '"""\n[not.a.header] # nor a comment\n"" ""\\"""""'),
        (("lit",), "lit", "'''\n# still text [x]\n'''"),
        (("lit2",), "lit2", "'''it'''''"),
        (("when",), "when", "1979-05-27 07:32:00Z"),
        (("commas", 1), "2", "2"),
        (("commas", 2), "3", "3"),
        (("nics", 0, "ip"), "ip", '"1"'),
        (
            ("nics", 1),
            '{\n    net = "wan",  # TOML 1.1: newlines in inline tables\n  }',
            None,
        ),
        (("nics", 1, "net"), "net", '"wan"'),
        (("t", 0, "x", 0, 1), "2", "2"),
        (("t", 0, "sub", "y"), "y", "'q'"),
        (("t", 0, "sub"), "sub", "t.sub"),
        (("t", 1, "x"), "x", '"second"'),
        (("t", 1, "arr", 0, "z"), "z", "1"),
        (("t", 1), "t", "t"),
        (("t", 1, "missing", "deeper"), "t", "t"),
    ],
)
def test_tomlspans_on_tricky_toml(path, key, value):
    assert tomli.loads(TRICKY)["lit2"] == "it''"
    assert tomli.loads(TRICKY)["ml"] == '[not.a.header] # nor a comment\n"" """"'
    written_key, written_value = spans_of(TRICKY, path)
    assert written_key == key
    assert written_value == (key if value is None else value)


def test_tomlspans_on_crlf_and_a_fallback_to_the_start():
    assert spans_of('[a]\r\nb = "c"\r\n', ("a", "b")) == ("b", '"c"')
    assert spans_of("x = 1\n", ("nothing",)) == ("", "")
    assert spans_of("", ()) == ("", "")


# A tiny TOML writer that picks a different way to write the same data each time.

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def _basic(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return (
        '"'
        + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
        + '"'
    )


def _multiline_basic(text: str) -> str:
    out, quotes = [], 0
    for char in text:
        quotes = quotes + 1 if char == '"' else 0
        if char == "\\" or (char == '"' and quotes == 3):
            out.append("\\" + char)
            quotes = 0
        elif char != "\n" and re.match(r"[\x00-\x1f\x7f]", char):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"""\n' + "".join(out) + '"""'  # the newline after the opening is dropped


def _string(text: str, rng: random.Random) -> str:
    plain = not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", text)
    choices = [_basic, _multiline_basic]
    if plain and "'" not in text:
        choices.append(lambda t: f"'{t}'")
    # One or two quotes may end the content, right before the closing three.
    if not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text) and "'''" not in text:
        choices.append(lambda t: f"'''\n{t}'''")
    return rng.choice(choices)(text)


def _key(name: str, rng: random.Random) -> str:
    if _BARE_KEY.match(name) and rng.random() < 0.8:
        return name
    if (
        "'" not in name
        and not re.search(r"[\x00-\x1f\x7f]", name)
        and rng.random() < 0.5
    ):
        return f"'{name}'"
    return _basic(name)


def _comment(rng: random.Random) -> str:
    return rng.choice(["", "", " # note [x] = \"y\" '''", " #"])


def _inline(value, rng: random.Random) -> str:
    if isinstance(value, dict):
        items = [f"{_key(k, rng)} = {_inline(v, rng)}" for k, v in value.items()]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if isinstance(value, list):
        if rng.random() < 0.5:
            comma = rng.choice([", ", " , ", ",", " # c\n, "])
            return "[" + comma.join(_inline(v, rng) for v in value) + "]"
        lines = "".join(f"\n  {_inline(v, rng)},{_comment(rng)}" for v in value)
        return f"[{_comment(rng)}{lines}\n  # end\n]"
    if isinstance(value, str):
        return _string(value, rng)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=rng.choice(" T"))
    return repr(value)


def _is_tables(value) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) for v in value)
    )


def dump(table: dict, rng: random.Random, header: tuple = ()) -> str:
    """Pairs first, then the tables given their own [header] or [[header]]."""
    out, later = [], []
    for name, value in table.items():
        if (isinstance(value, dict) or _is_tables(value)) and rng.random() < 0.6:
            later.append((name, value))
        else:
            out.append(f"{_key(name, rng)} = {_inline(value, rng)}{_comment(rng)}\n")
    for name, value in later:
        path = header + (name,)
        written = ".".join(_key(part, rng) for part in path)
        for element in [value] if isinstance(value, dict) else value:
            brackets = ("[", "]") if isinstance(value, dict) else ("[[", "]]")
            out.append(f"\n{brackets[0]}{written}{brackets[1]}{_comment(rng)}\n")
            out.append(dump(element, rng, path))
    return "".join(out)


def leaves(value, path: tuple = ()):
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves(item, path + (name,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, path + (index,))
    else:
        yield path, value


# Characters that mean something in TOML come up far more often than by chance,
# quotes most of all (strings that end in quotes are the hard case).
tricky_chars = (
    st.sampled_from("'\"") | st.sampled_from("\\#[]{}=,. \n\t\x00") | st.characters()
)
scalars = st.one_of(
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(tricky_chars, max_size=12),
    st.text(st.sampled_from("'\"\\ a#\n"), max_size=8),  # dense in quotes
    st.datetimes(min_value=datetime.datetime(1000, 1, 1)),
)
keys = st.text(tricky_chars, max_size=6)
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)
    # Several tables in a list: [[x]] headers, and tables under each of them.
    | st.lists(
        st.dictionaries(keys, inner, min_size=1, max_size=3), min_size=2, max_size=3
    ),
    max_leaves=16,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, trees, max_size=5), st.randoms(use_true_random=False))
def test_every_leaf_span_reads_back_as_its_value(document, rng):
    text = dump(document, rng)
    assert tomli.loads(text) == document  # the writer itself is right
    index = index_spans(Source("t.toml", text))
    for path, value in leaves(document):
        span = index.value(path)
        assert tomli.loads("v = " + text[span.start : span.end])["v"] == value
        if isinstance(path[-1], str):
            key = index.key(path)
            assert list(tomli.loads(text[key.start : key.end] + " = 1")) == [path[-1]]


# -- no input makes the loader raise ----------------------------------------------

key_names = sorted(
    {
        key.name
        for section in vars(schema).values()
        if isinstance(section, schema.Section)
        for key in section.keys
    }
)
tables = st.dictionaries(
    st.sampled_from(key_names) | keys,
    trees
    | st.lists(
        st.dictionaries(st.sampled_from(key_names), trees, max_size=4), max_size=2
    ),
    max_size=6,
)
named = st.dictionaries(keys, tables | scalars, max_size=2)
documents = st.fixed_dictionaries(
    {
        "fleet": tables
        | st.fixed_dictionaries(
            {"name": st.text(max_size=4)}, optional={"system": scalars, "inputs": named}
        )
    },
    optional={
        "defaults": st.fixed_dictionaries({}, optional={"vm": tables}),
        "networks": named,
        "hosts": named,
        "vms": named,
    },
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.randoms(use_true_random=False))
def test_any_document_gives_a_model_or_located_coded_errors(document, rng):
    text = dump(document, rng)
    fleet, diagnostics = load(text)
    for problem in diagnostics:
        assert problem.code in CODES and problem.help
        assert 0 <= problem.span.start <= problem.span.end <= len(text)
    assert fleet is None or isinstance(fleet, Fleet)
    if not diagnostics:
        assert fleet is not None
