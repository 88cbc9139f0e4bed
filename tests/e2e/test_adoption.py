"""Adopting a running fleet changes nothing it did not ask for (issue 10,
item 2): vsock only where asked, the tap's vhost-net settable (guarded by
the option's existence), the journal kept where the fleet has it, and hosts
that only autostart VMs deployed with `microvm -Ru`.

fleetc runs as a real subprocess on both input formats (`--format json`);
the trees are evaluated against the stand-ins. Expected tmpfiles lines were
worked out by hand from tmpfiles.d(5) and the shares written below: a share
source that is not absolute lies in <state_dir>/<vm> (microvm.nix runs
virtiofsd there).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import inputs, staged
from tests.support.paths import SAMPLES

FLEET_TOML = """\
[fleet]
name = "ixp"
flake = "git+https://git.example.org/ixp"
deploy_mode = "imperative"

[networks.lan]
ipv4 = "10.0.0.0/24"
bridge = "br0"

[hosts.h]
uplink = "eno1"

[hosts.d]
uplink = "eno1"
deploy_mode = "declarative"

[vms.keep]
host = "h"
machine_id = "0000000000000000000000000000000a"
journal = "/var/log/journal"
interfaces = [{ network = "lan", vhost = true }]
shares = [{ tag = "var", source = "/srv/keep/var", mount = "/var" }]

[vms.rel]
host = "h"
machine_id = "0000000000000000000000000000000b"
journal = "/var/log/journal"
interfaces = [{ network = "lan" }]
shares = [{ tag = "log", source = "log", mount = "/var/log" }]

[vms.quiet]
host = "h"
machine_id = "0000000000000000000000000000000c"
journal = "none"
vsock = true
autostart = false
interfaces = [{ network = "lan" }]

[vms.plain]
host = "h"
machine_id = "0000000000000000000000000000000d"
interfaces = [{ network = "lan" }]

[vms.decl]
host = "d"
machine_id = "0000000000000000000000000000000e"
interfaces = [{ network = "lan" }]
"""

# The same fleet, written by hand in the DSL.
FLEET_DSL = """\
fleet ixp {
  flake git+https://git.example.org/ixp
  deploy-mode imperative
}

network lan {
  ipv4 10.0.0.0/24
  bridge br0
}

host h {
  uplink eno1

  vm keep 0000000000000000000000000000000a {
    journal /var/log/journal
    interface lan vhost true
    share var /srv/keep/var -> /var
  }

  vm rel 0000000000000000000000000000000b {
    journal /var/log/journal
    interface lan
    share log log -> /var/log
  }

  vm quiet 0000000000000000000000000000000c {
    journal none
    vsock true
    autostart false
    interface lan
  }

  vm plain 0000000000000000000000000000000d {
    interface lan
  }
}

host d {
  uplink eno1
  deploy-mode declarative

  vm decl 0000000000000000000000000000000e {
    interface lan
  }
}
"""

H_RULES = [
    "L+ /var/log/journal/0000000000000000000000000000000a - - - -"
    " /srv/keep/var/log/journal/0000000000000000000000000000000a",
    "d /var/lib/microvms/plain/journal 0755 microvm kvm - -",
    "L+ /var/log/journal/0000000000000000000000000000000d - - - -"
    " /var/lib/microvms/plain/journal/0000000000000000000000000000000d",
    "L+ /var/log/journal/0000000000000000000000000000000b - - - -"
    " /var/lib/microvms/rel/log/journal/0000000000000000000000000000000b",
]


def fleetc(cwd: Path, *args: str) -> tuple[int, dict]:
    command = [sys.executable, "-m", "fleetc", *args, "--format", "json"]
    done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=120)
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    document = json.loads(done.stdout.decode())
    assert document["exit"] == done.returncode
    return done.returncode, document


def fleet_dir(root: Path, name: str, text: str) -> Path:
    root.mkdir(parents=True)
    (root / name).write_text(text)
    return root


def tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.nix")}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """The fleet generated from fleet.toml; the DSL twin must give the same."""
    root = tmp_path_factory.mktemp("adopt")
    toml = fleet_dir(root / "toml", "fleet.toml", FLEET_TOML)
    dsl = fleet_dir(root / "dsl", "fleet.fleet", FLEET_DSL)
    for where, name in ((toml, "fleet.toml"), (dsl, "fleet.fleet")):
        code, document = fleetc(where, "generate", name)
        assert (code, document["diagnostics"]) == (0, [])
    assert tree(toml / "generated") == tree(dsl / "generated")
    assert (toml / "fleet.lock").read_text() == (dsl / "fleet.lock").read_text()
    return toml


EVALUATED = """c: {
  hosts = builtins.mapAttrs (_: h: {
    vms = builtins.attrNames h.config.microvm.vms;
    autostart = h.config.microvm.autostart;
    rules = h.config.systemd.tmpfiles.rules;
    installs = builtins.filter (n: builtins.substring 0 16 n == "install-microvm-")
      (builtins.attrNames h.config.systemd.services);
  }) { inherit (c) h d; };
  vms = builtins.mapAttrs (_: v: {
    cid = v.config.microvm.vsock.cid;
    interfaces = map (i: { inherit (i) id tap; }) v.config.microvm.interfaces;
    shares = map (s: s.tag) v.config.microvm.shares;
  }) { inherit (c) keep rel quiet plain decl; };
}"""


@pytest.fixture(scope="module")
def evaluated(generated: Path, tmp_path_factory) -> dict:
    flake = staged(generated, tmp_path_factory.mktemp("staged"))
    return nixeval.eval_flake(flake, "nixosConfigurations", inputs(), EVALUATED)


def test_imperative_host_declares_no_vm_and_autostarts_the_others(evaluated):
    h = evaluated["hosts"]["h"]
    assert h["vms"] == []
    assert h["autostart"] == ["keep", "plain", "rel"]  # quiet: autostart = false
    assert h["rules"] == H_RULES  # journal links stay
    assert h["installs"] == []  # `microvm -c` installs, not the host


def test_a_host_may_stay_declarative_in_an_imperative_fleet(evaluated):
    d = evaluated["hosts"]["d"]
    assert d["vms"] == ["decl"]
    assert d["autostart"] == ["decl"]  # microvm.nix derives it from the flag
    assert d["installs"] == ["install-microvm-decl"]


def test_vsock_only_where_the_fleet_asks(evaluated, generated):
    cids = {name: vm["cid"] for name, vm in evaluated["vms"].items()}
    assert cids == {"keep": None, "rel": None, "quiet": 3, "plain": None, "decl": None}
    lock = (generated / "fleet.lock").read_text()
    assert lock.count("vsock_cid") == 1


def test_journal_share_only_for_vms_that_keep_the_default(evaluated):
    shares = {name: vm["shares"] for name, vm in evaluated["vms"].items()}
    assert shares == {
        "keep": ["ro-store", "var"],
        "rel": ["ro-store", "log"],
        "quiet": ["ro-store"],
        "plain": ["ro-store", "journal"],
        "decl": ["ro-store", "journal"],
    }


def test_tap_vhost_reaches_microvm_nix_where_it_exists(evaluated):
    [keep] = evaluated["vms"]["keep"]["interfaces"]
    [plain] = evaluated["vms"]["plain"]["interfaces"]
    assert keep["tap"] == {"vhost": True}
    assert plain["tap"] == {"vhost": False}  # microvm.nix's default: not written


# The generated module through lib/compat.nix, applied to stub arguments;
# `options` declares or lacks the interface submodule's tap.vhost.
STUB = (
    "let lib = import {lib}; args = {{ inherit lib;"
    ' config.networking.hostName = "keep"; inputs.nixpkgs = "/nixpkgs"; self = {{ }};'
    " options.microvm = {{ machineId = {{ }}; hypervisor.type.check = _: true;"
    " shares.type.getSubOptions = _: {{ readOnly = {{ }}; }};"
    " interfaces.type.getSubOptions = prefix: {sub}; }}; }};"
    " m = import {file}; r = if builtins.isFunction m then m args else m;"
    " compat = builtins.filter builtins.isFunction r.imports;"
    " in map (f: builtins.head (f args).contents) compat"
)


@pytest.mark.parametrize(
    "sub, expected",
    [
        ("{ id = { }; tap.vhost = { }; }", {"vhost": True}),
        ("{ id = { }; }", None),  # microvm.nix before 2026-02
    ],
)
def test_tap_vhost_is_written_only_where_the_option_exists(generated, sub, expected):
    file = generated / "generated" / "vms" / "keep.nix"
    lib = nixeval.NIXPKGS / "lib"
    [settings] = nixeval.eval_json(STUB.format(file=file, sub=sub, lib=lib))
    [interface] = settings["microvm"]["interfaces"]
    assert interface.get("tap") == expected
    assert interface["id"] == "vm-keep"


# -- checks, in both formats ----------------------------------------------------

OUTSIDE_TOML = """\
[fleet]
name = "t"

[hosts.h]

[vms.a]
host = "h"
shares = [{ tag = "etc", source = "/srv/a/etc", mount = "/etc/persist" }]
journal = "/var/log/journal"
"""
OUTSIDE_DSL = """\
fleet t

host h {
  vm a {
    share etc /srv/a/etc -> /etc/persist
    journal /var/log/journal
  }
}
"""


@pytest.mark.parametrize(
    "name, text, line, column",
    [("fleet.toml", OUTSIDE_TOML, 9, 11), ("fleet.fleet", OUTSIDE_DSL, 6, 13)],
)
def test_a_journal_path_outside_the_vms_shares_is_located(
    tmp_path, name, text, line, column
):
    code, document = fleetc(fleet_dir(tmp_path / "f", name, text), "check", name)
    assert code == 1
    [found] = [d for d in document["diagnostics"] if d["code"] == "F507"]
    assert found["severity"] == "error"
    assert found["location"] == {"file": name, "line": line, "column": column}
    assert "/etc/persist" in found["help"]


# -- migrating from 0.1 ------------------------------------------------------------

OLD_FLEET = """\
[fleet]
name = "t"

[hosts.h]

[vms.a]
host = "h"
machine_id = "0000000000000000000000000000000a"
"""


def locked_like_0_1(where: Path, fleet_text: str) -> None:
    """fleet.lock as fleetc 0.1 wrote it for OLD_FLEET (CID 3 for vm `a`,
    allocated unasked), then the fleet file itself."""
    fleet_dir(where, "fleet.toml", OLD_FLEET + "vsock_cid = 3\n")
    code, _ = fleetc(where, "generate", "fleet.toml")
    assert code == 0 and "vsock_cid = 3" in (where / "fleet.lock").read_text()
    (where / "fleet.toml").write_text(fleet_text)


def test_a_lock_from_0_1_releases_cids_nobody_asks_for(tmp_path):
    where = tmp_path / "f"
    locked_like_0_1(where, OLD_FLEET)
    code, _ = fleetc(where, "check", "fleet.toml", "--locked")
    assert code == 1  # the lock would change: CI notices
    code, document = fleetc(where, "generate", "fleet.toml")
    assert code == 0
    assert document["fleets"][0]["lock_changes"] == ["a: vsock_cid released (was 3)"]
    assert "vsock" not in (where / "generated" / "vms" / "a.nix").read_text()


def test_vsock_true_in_defaults_keeps_the_0_1_behaviour(tmp_path):
    where = tmp_path / "f"
    locked_like_0_1(where, OLD_FLEET + "\n[defaults.vm]\nvsock = true\n")
    code, document = fleetc(where, "generate", "fleet.toml", "--locked")
    assert (code, document["fleets"][0]["lock_changes"]) == (0, [])
    assert "microvm.vsock.cid = 3;" in (where / "generated/vms/a.nix").read_text()


# -- samples/adopted on both microvm.nix generations -----------------------------

VHOST_OF_WEB = """c: let web = c.web; in {
  declared = (web.options.microvm.interfaces.type.getSubOptions [ ]) ? tap.vhost;
  tap = map (i: i.tap or null) web.config.microvm.interfaces;
  autostart = c.vmhost.config.microvm.autostart;
}"""


@pytest.mark.parametrize("generation", ["current", "legacy"])
def test_sample_evaluates_with_or_without_tap_vhost(generation, tmp_path):
    flake = staged(SAMPLES / "adopted", tmp_path / "staged")
    found = nixeval.eval_flake(
        flake, "nixosConfigurations", inputs(generation), VHOST_OF_WEB
    )
    expected = [{"vhost": True}] if found["declared"] else [None]
    assert found["tap"] == expected
    assert found["autostart"] == ["resolver", "web"]
    if generation == "current":
        assert found["declared"]  # microvm.nix from 2026-02
