"""The fields whose values reach a command line, a path, a unit name or a
tmpfiles/networkd line (docs/fleet-format.md, "Values that leave Nix"), for
tests/checks/test_values.py: where each goes in a fleet, how to read it back from the
generated Nix, and what the docs say is allowed there.

The allowed sets here are written from the docs' table, not imported from
fleetc's checks, so that a check that lets too much through fails the tests.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from fleetc.core import pipeline
from fleetc.core.source import Source

from tests.support.nixeval import MODULE_MERGE
from tests.support.paths import NIX_DIR

DEFAULTS = {
    "state_dir": "/var/lib/microvms",
    "system": "x86_64-linux",
    "gateway6": "fd00::1",
    "dns": "fd00::53",
    "host_ipv6": "fd00::2",
    "tag": "srv",
    "source": "/srv",
    "mount": "/srv",
    "socket": "srv.sock",
    "image": "var.img",
}

TEMPLATE = """\
[fleet]
name = "t"
state_dir = {state_dir}
system = {system}

[networks.lan]
ipv6 = "fd00::/64"
gateway6 = {gateway6}
dns = [{dns}]

[hosts.h]
uplink = "eno1"
interfaces = [{{ network = "lan", ipv6 = {host_ipv6} }}]

[vms.v]
host = "h"
interfaces = [{{ network = "lan" }}]
shares = [{{ tag = {tag}, source = {source}, mount = {mount}, socket = {socket} }}]
volumes = [{{ image = {image}, mount = "/var", size = 64 }}]
"""


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly `text` (control characters escaped)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isprintable() or char == " ":
            out.append(char)
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def fleet_text(field: str, value: str) -> str:
    values = dict(DEFAULTS, **{field: value})
    return TEMPLATE.format(**{key: toml_string(v) for key, v in values.items()})


def compile_with(field: str, value: str, name: str = "fleet.toml"):
    source = Source(name, fleet_text(field, value))
    return pipeline.compile(source, pipeline.Placement(PurePosixPath("/fleet")))


# Stand-ins for what the generated modules take: enough to evaluate them. A
# module is read as NixOS would, as one attribute set: the function modules it
# imports (lib/compat.nix's) applied too, lib.mkMerge parts merged, lists
# concatenated; a VM's with lib/every-vm.nix before it, as outputs.nix has it.
PRELUDE = """\
let
  lib = import LIB // { mkForce = x: x; };
  args = {
    config.networking.hostName = "v"; inherit lib; options.microvm = { };
    inputs.nixpkgs = "/nixpkgs"; inputs.microvm.nixosModules.host = { };
    self = { }; pkgs = { };
  };
MERGE
  load = m: let r = if builtins.isFunction m then m args else m; in builtins.foldl' merge
    (flat (builtins.removeAttrs r [ "imports" ]))
    (map load (builtins.filter builtins.isFunction (r.imports or [ ])));
  every = d: if builtins.pathExists (d + "/lib/every-vm.nix") then [ (import (d + "/lib/every-vm.nix")) ] else [ ];
  vm = d: builtins.foldl' merge { } (map load (every d ++ [ (import (d + "/vms/v.nix")) ]));
  host = d: load (import (d + "/hosts/h.nix"));
  share = d: builtins.elemAt (vm d).microvm.shares 2;
  flake = d:
    let
      out = (import (d + "/flake.nix")).outputs inputs;
      inputs = {
        self = out;
        nixpkgs.lib = lib // { nixosSystem = settings: settings; };
        microvm.nixosModules = { host = "host"; microvm = "microvm"; };
      };
    in out;
in
""".replace("LIB", str(NIX_DIR / "nixpkgs" / "lib")).replace("MERGE\n", MODULE_MERGE)

PATH = re.compile(r"[A-Za-z0-9._+@/-]+")
NO_DOTDOT = re.compile(r"(?!.*(^|/)\.\.(/|$)).*")


def absolute_clean(text: str) -> bool:
    parts = text.split("/")[1:]
    return text.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def plain_address(text: str) -> bool:
    return "%" not in text and ipaddress.ip_address(text).version == 6


@dataclass(frozen=True)
class Field:
    # Nix reading the value back from the tree in directory `d`.
    read: str
    # What that reading must give for the value as written.
    expect: Callable[[str], object]
    # The docs' allowed set: anything accepted must be in it.
    allowed: Callable[[str], bool]


def _tag(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9._-]{1,36}", text) is not None and text not in (
        ".",
        "..",
    )


def _image(text: str) -> bool:
    absolute = re.fullmatch(r"/[A-Za-z0-9._+@/:-]*", text) is not None
    return (absolute or PATH.fullmatch(text) is not None) and bool(
        NO_DOTDOT.fullmatch(text)
    )


FIELDS = {
    "tag": Field("(share d).tag", lambda v: v, _tag),
    "source": Field(
        "(share d).source",
        lambda v: v,
        lambda v: bool(PATH.fullmatch(v) and NO_DOTDOT.fullmatch(v)),
    ),
    "socket": Field(
        "(share d).socket",
        lambda v: v,
        lambda v: bool(PATH.fullmatch(v) and NO_DOTDOT.fullmatch(v)) and len(v) < 108,
    ),
    "mount": Field(
        "(share d).mountPoint",
        lambda v: v,
        lambda v: re.fullmatch(r"/[^\x00-\x20\x7f-\x9f\u2028\u2029]*", v) is not None,
    ),
    "image": Field(
        "(builtins.elemAt (vm d).microvm.volumes 0).image", lambda v: v, _image
    ),
    "state_dir": Field(
        '[ ((host d).microvm.stateDir or "/var/lib/microvms")'
        " (builtins.elemAt (host d).systemd.tmpfiles.rules 0) ]",
        lambda v: [v, f"d {v}/v/journal 0755 microvm kvm - -"],
        lambda v: bool(PATH.fullmatch(v)) and absolute_clean(v),
    ),
    "system": Field(
        "let o = flake d; in [ o.nixosConfigurations.v.system"
        " o.nixosConfigurations.h.system (builtins.attrNames o.packages) ]",
        lambda v: [v, v, [v]],
        lambda v: re.fullmatch(r"[a-z0-9_]+-linux", v) is not None,
    ),
    "gateway6": Field(
        '(vm d).systemd.network.networks."10-lan".gateway',
        lambda v: [v],
        plain_address,
    ),
    "dns": Field(
        '(vm d).systemd.network.networks."10-lan".dns', lambda v: [v], plain_address
    ),
    "host_ipv6": Field(
        '(host d).systemd.network.networks."20-lan".address',
        lambda v: [v + "/64"],
        plain_address,
    ),
}


def write_tree(files: dict[str, str], directory: Path) -> None:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def read_back(field: str, directory: Path) -> str:
    """One list element of the batched evaluation."""
    return f"(let d = /. + {nix_quote(str(directory))}; in {FIELDS[field].read})"


def nix_quote(text: str) -> str:
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'
    )
