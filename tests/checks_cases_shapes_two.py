"""Cases for the shapes real fleets have, part two (issue 22): ids left to the
VM, addressing from the network, hosts that route, shares needed at boot,
shares from the repository, per-VM deploy modes and microvm.* options, in the
form of checks_cases.py: (id, fleet.toml, code, severity, line, column).

Counted by hand: `key = "value"` puts the value at column len(key) + 4.
"""

from __future__ import annotations

from checks_base import E, W, on_lan

HEAD = """\
[fleet]
name = "t"

"""


def network(addressing: str, *lines: str, mode: str = "bridge") -> str:
    """Network `lan` at lines 4..8 (addressing at 8); host `h`, vm `a` from 10."""
    text = HEAD + "[networks.lan]\n"
    text += 'ipv4 = "10.0.0.0/24"\nipv6 = "fd00::/64"\n'
    text += f'mode = "{mode}"\naddressing = "{addressing}"\n'
    text += '\n[hosts.h]\n\n[vms.a]\nhost = "h"\n'
    return text + "".join(line + "\n" for line in lines)


def routed_lan(router: str = "h", *tail: str, mode: str = "bridge") -> str:
    """Network `lan` (lines 4..7, router at 7), hosts `h` (9) and `g` (11),
    vm `a` on `g` from line 13."""
    text = HEAD + '[networks.lan]\nipv4 = "10.0.0.0/24"\n'
    text += f'mode = "{mode}"\nrouter = "{router}"\n'
    text += '\n[hosts.h]\n\n[hosts.g]\n\n[vms.a]\nhost = "g"\n'
    return text + "".join(line + "\n" for line in tail)


def options(line: str) -> str:
    """vm `a` with one line of [vms.a.microvm], at line 9."""
    return HEAD + '[hosts.h]\n\n[vms.a]\nhost = "h"\n[vms.a.microvm]\n' + line + "\n"


SHAPE_TWO_CASES = [
    (
        "machine-id-false-with-the-journal-shared",
        HEAD + '[hosts.h]\n\n[vms.a]\nhost = "h"\nmachine_id = false\n',
        "F115",
        W,
        8,
        14,
    ),
    (
        "ipv4-written-where-dhcp-assigns-it",
        network("dhcp", 'interfaces = [{ network = "lan", ipv4 = "10.0.0.10" }]'),
        "F218",
        E,
        14,
        41,
    ),
    (
        "ipv6-written-where-slaac-assigns-it",
        network("slaac", 'interfaces = [{ network = "lan", ipv6 = "fd00::10" }]'),
        "F218",
        E,
        14,
        41,
    ),
    (
        "routed-network-with-addresses-from-dhcp",
        network("dhcp", mode="routed"),
        "F219",
        E,
        8,
        14,
    ),
    ("router-names-no-host", routed_lan("gw"), "F006", E, 7, 10),
    ("router-on-a-routed-network", routed_lan(mode="routed"), "F220", E, 7, 10),
    ("router-without-gateway4", routed_lan(), "F221", E, 7, 10),
    (
        "declare-config-on-an-imperative-vm",
        HEAD
        + '[hosts.h]\n\n[vms.a]\nhost = "h"\ndeploy_mode = "imperative"\n'
        + 'declare = "config"\n',
        "F634",
        E,
        9,
        11,
    ),
    (
        "declare-config-for-another-system",
        HEAD
        + '[hosts.h]\n\n[vms.a]\nhost = "h"\nsystem = "aarch64-linux"\n'
        + 'declare = "config"\n',
        "F635",
        E,
        9,
        11,
    ),
    (
        "declare-config-with-runner-from-host",
        HEAD
        + '[hosts.h]\n\n[vms.a]\nhost = "h"\ndeclare = "config"\n'
        + "runner_from_host = true\n",
        "F636",
        E,
        9,
        20,
    ),
    (
        "unknown-microvm-option",
        options('"virtiofsd.threadpoolSize" = 4'),
        "F640",
        E,
        9,
        30,
    ),
    ("microvm-option-of-a-fleet-key", options("vcpu = 4"), "F641", E, 9, 8),
    (
        "microvm-option-of-another-type",
        options('hotpluggedMem = "1G"'),
        "F642",
        E,
        9,
        17,
    ),
    (
        "microvm-option-only-nix-writes",
        options('"qemu.package" = "qemu"'),
        "F643",
        E,
        9,
        18,
    ),
    (
        "vm-on-a-routed-network-on-another-host",
        routed_lan("h", 'interfaces = [{ network = "lan" }]'),
        "F222",
        E,
        15,
        27,
    ),
]

SHAPE_TWO_CLEAN_CASES = [
    (
        "machine-id-false-without-a-journal",
        on_lan('machine_id = false\njournal = "none"\n'),
    ),
    (
        "microvm-options-by-path-nested-or-dotted",
        options(
            '"virtiofsd.threadPoolSize" = "`nproc`"\nqemu.extraArgs = ["-cpu", "host"]'
        ),
    ),
    (
        "slaac-keeps-ipv4-static-and-none-writes-nothing",
        network("slaac", 'interfaces = [{ network = "lan", ipv4 = "10.0.0.10" }]'),
    ),
]
