"""Two public microvm.nix fleets transcribed into fleet files (samples/minime,
samples/homelab; issue 22.7): their generated trees, evaluated against both
microvm.nix generations, against what the originals set
(tests/transcribed_originals.py, written by reading them). Every difference
is listed here with its reason, so a change in fleetc's output that moves a
value away from the original (or towards it) fails until this list and the
the guide's table (docs/guide/shapes.md, "Transcribed fleets") say so."""

from __future__ import annotations

import re

import pytest

from tests.support import nixeval
from tests.support.faq import SOPS_NIX, inputs, staged
from tests.support.paths import ROOT, SAMPLES
from tests.e2e.transcribed_originals import HOMELAB, MINIME

ORIGINALS = {"minime": MINIME, "homelab": HOMELAB}
DIR_SUFFIX = "the sample sits in a subdirectory of fleetc's repository: `dir=` is added"
DIFFERENT = {
    "minime": {
        "vm.*.share.store.*": "fleetc's store share is tagged `ro-store` (default socket)",
        "vm.*.network.metric": "fleetc's default route has no metric (theirs: 1024)",
        "host.update.*": DIR_SUFFIX,
        "host.nat.internal-interfaces": "fleetc NATs the routed prefix (internalIPs)",
        "host.nat.internal-ips": "fleetc NATs the routed prefix (internalIPs)",
        "host.nat.ipv6": "fleetc routes the ULA prefix, without NAT66",
    },
    "homelab": {
        "vm.micro-infra.share.homer-icons.source": "a store copy, not the host's checkout",
        "vm.micro-automate.share.custom-blueprints.source": "a store copy, not the host's checkout",
        "vm.*.network.client": "networkd's DHCP client, not NetworkManager's",
        "host.update.*": DIR_SUFFIX,
    },
}
# What fleetc adds that the original did not have, beyond the values above.
ADDED = {
    "minime": {
        "vm.*.share.ro-store.*",
        "host.bridge.configure-without-carrier",
    },
    "homelab": {
        "vm.micro-infra.share.homer-icons.readOnly",
        "vm.micro-automate.share.custom-blueprints.readOnly",
    },
}

REPORT = """configurations: let
  inherit (builtins) attrNames filter mapAttrs;
  vm = c: {
    inherit (c.microvm) hypervisor vcpu mem;
    interfaces = map (i: {
      inherit (i) type id mac;
      link = if i.type == "macvtap" then i.macvtap.link else null;
      mode = if i.type == "macvtap" then i.macvtap.mode else null;
    }) c.microvm.interfaces;
    shares = map (s: {
      inherit (s) tag source mountPoint proto socket;
      readOnly = s.readOnly or false;
    }) c.microvm.shares;
    machineId = c.environment.etc."machine-id".text or null;
    boot = filter (m: c.fileSystems.${m}.neededForBoot) (attrNames c.fileSystems);
    devices = map (d: "${d.bus} ${d.path}") c.microvm.devices;
    networks = c.systemd.network.networks;
    nixPath = c.nix.nixPath;
  };
  host = c: {
    update = mapAttrs (_: v: v.updateFlake) c.microvm.vms;
    autostart = c.microvm.autostart;
    services = attrNames c.systemd.services;
    networks = c.systemd.network.networks;
    netdevs = c.systemd.network.netdevs;
    nat = c.networking.nat;
    sysctl = c.boot.kernel.sysctl;
    tmpfiles = c.systemd.tmpfiles.rules;
    keep = c.sops.keepGenerations;
  };
in mapAttrs (name: c: if c.config ? microvm.vms then host c.config else vm c.config) configurations"""


@pytest.fixture(scope="module", params=["minime", "homelab"])
def sample(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> dict:
    """(sample, generation) -> the report; each sample staged once."""
    found = {}
    for name in ORIGINALS:
        flake = staged(SAMPLES / name, tmp_path_factory.mktemp(name))
        for generation in ("current", "legacy"):
            given = inputs(generation) | {"sops-nix": SOPS_NIX}
            report = nixeval.eval_flake(
                flake, "nixosConfigurations", given, apply=REPORT
            )
            found[name, generation] = report
    return found


def facts(report: dict) -> dict:
    found: dict = {}
    for name, config in report.items():
        if "update" in config:
            found |= host_facts(config)
        else:
            found |= {f"vm.{name}.{k}": v for k, v in vm_facts(config).items()}
    return found


def vm_facts(config: dict) -> dict:
    found = {key: config[key] for key in ("hypervisor", "vcpu", "mem")}
    (nic,) = config["interfaces"]
    found |= {f"interface.{k}": v for k, v in nic.items() if v is not None}
    for share in config["shares"]:
        tag = share["tag"]
        for key in ("source", "mountPoint", "proto"):
            found[f"share.{tag}.{key}"] = share[key]
        found[f"share.{tag}.socket"] = share["socket"] or "default"
        if share["readOnly"]:
            found[f"share.{tag}.readOnly"] = True
    found["machine-id"] = config["machineId"]
    if config["boot"]:
        found["boot"] = sorted(config["boot"])
    if config["devices"]:
        found["devices"] = config["devices"]
    elif nic["type"] == "macvtap":
        found["devices"] = []
    found |= network_facts(config["networks"])
    found["nix-path"] = config["nixPath"]
    return found


def network_facts(networks: dict) -> dict:
    (unit,) = networks.values()
    settings = unit.get("networkConfig", {})
    found = {"network.mac": unit["matchConfig"]["MACAddress"]}
    found["network.dhcp"] = settings["DHCP"]
    if settings["DHCP"] == "yes":
        return found | {"network.client": "systemd-networkd"}
    found["network.address"] = unit["address"]
    found["network.gateway"] = unit["gateway"][0]
    found["network.ipv6-accept-ra"] = settings.get("IPv6AcceptRA", True)
    return found


def host_facts(config: dict) -> dict:
    declared = sorted(config["update"])
    found = {"host.declared": declared, "host.autostart": sorted(config["autostart"])}
    found |= {f"host.update.{vm}": url for vm, url in config["update"].items()}
    installs = [s for s in config["services"] if s.startswith("install-microvm-")]
    found["host.install-condition"] = installs
    found["host.journal-links"] = sorted(
        rule for rule in config["tmpfiles"] if rule.startswith("L+ ")
    )
    found["host.keep-generations"] = 0 if config["keep"] == 0 else None
    return found | bridge_facts(config)


def bridge_facts(config: dict) -> dict:
    bridges = [d["netdevConfig"]["Name"] for d in config["netdevs"].values()]
    if not bridges:
        return {}
    (bridge,) = bridges
    unit = config["networks"][f"20-{bridge}"]
    settings = unit["networkConfig"]
    nat = config["nat"]
    found = {
        "host.bridge": bridge,
        "host.bridge.address": unit["address"],
        "host.bridge.dhcp-server": settings.get("DHCPServer", False),
        "host.bridge.send-ra": settings["IPv6SendRA"],
        "host.bridge.prefixes": [p["Prefix"] for p in unit["ipv6Prefixes"]],
        "host.bridge.ports": config["networks"][f"30-{bridge}-ports"]["matchConfig"][
            "Name"
        ],
        "host.bridge.configure-without-carrier": settings["ConfigureWithoutCarrier"],
        "host.nat.enable": nat["enable"],
        "host.nat.external": nat["externalInterface"],
        "host.nat.internal-interfaces": nat.get("internalInterfaces", []),
        "host.nat.internal-ips": nat["internalIPs"],
        "host.nat.ipv6": nat.get("enableIPv6", False),
    }
    for version in (4, 6):
        key = f"net.ipv{version}.conf.all.forwarding"
        found[f"host.forwarding.ipv{version}"] = config["sysctl"].get(key, False)
    return found


def matches(pattern: str, key: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", "[^.]+"), key) is not None


def listed(patterns, key: str) -> bool:
    return any(matches(pattern, key) for pattern in patterns)


def comparison(sample: str, generated: dict) -> tuple[list, list, list]:
    original = ORIGINALS[sample]
    same = [k for k in original if generated.get(k, "<absent>") == original[k]]
    different = [k for k in original if k not in same]
    added = [k for k in generated if k not in original]
    return same, different, added


def test_every_difference_is_a_listed_one(sample, evaluated):
    for generation in ("current", "legacy"):
        generated = facts(evaluated[sample, generation])
        _, different, added = comparison(sample, generated)
        unexplained = [k for k in different if not listed(DIFFERENT[sample], k)]
        assert unexplained == [], (generation, unexplained)
        assert [k for k in added if not listed(ADDED[sample], k)] == [], generation


def test_the_listed_differences_still_differ(sample, evaluated):
    """A listed difference that no longer differs must leave the list."""
    generated = facts(evaluated[sample, "current"])
    _, different, added = comparison(sample, generated)
    for pattern in DIFFERENT[sample]:
        assert any(matches(pattern, key) for key in different), pattern
    for pattern in ADDED[sample]:
        assert any(matches(pattern, key) for key in added), pattern


def readme_row(sample: str) -> tuple[int, int, int]:
    """(values transcribed, the same, percent) as the guide's table has them."""
    text = (ROOT / "docs" / "guide" / "shapes.md").read_text()
    pattern = rf"^\| `samples/{sample}` \| [^|]* \| (\d+) \| (\d+) \((\d+) %\) \|"
    row = re.search(pattern, text, re.M)
    assert (
        row is not None
    ), f"docs/guide/shapes.md's table has no row for samples/{sample}"
    return int(row.group(1)), int(row.group(2)), int(row.group(3))


def test_the_readme_table_says_what_came_out_the_same(sample, evaluated):
    generated = facts(evaluated[sample, "current"])
    same, different, _ = comparison(sample, generated)
    values = len(same) + len(different)
    percent = round(100 * len(same) / values)
    assert readme_row(sample) == (values, len(same), percent)
