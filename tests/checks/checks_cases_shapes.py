"""Cases for the shapes real fleets have: bonded uplinks, IPv4 via an IPv6
gateway, passthrough devices, hosts without VMs (F213..F216, F630..F633, and
F006, F210, F405, F407 where these shapes meet older checks), in the form of
checks_cases.py: (id, fleet.toml, code, severity, line, column).

Counted by hand: `key = "value"` puts the value at column len(key) + 4; in
`devices = [{ bus = "pci", path = "..." }]` the table starts at column 12,
`bus`'s value at 20, `path`'s at 34.
"""

from __future__ import annotations

E = "error"

HEAD = """\
[fleet]
name = "t"

"""


def vms(*device_lines: str, hypervisor: str = "qemu") -> str:
    """Host `h` at line 4, vm `a` at 6..8, vm `b` (if two lines) at 10..12."""
    text = HEAD + "[hosts.h]\n"
    for name, line in zip("ab"[: len(device_lines)], device_lines, strict=True):
        text += f'\n[vms.{name}]\nhost = "h"\n'
        if hypervisor != "qemu":
            text += f'hypervisor = "{hypervisor}"\n'
        text += line + "\n"
    return text


PCI = 'devices = [{ bus = "pci", path = "0000:01:00.0" }]'

SHAPE_CASES = [
    (
        "uplink-next-to-a-bond-names-another-nic",
        HEAD
        + '[hosts.h]\nuplink = "eno3"\nbond = { name = "bond0", ports = ["eno1"] }\n',
        "F213",
        E,
        5,
        10,
    ),
    (
        "bond-port-listed-twice",
        HEAD + '[hosts.h]\nbond = { name = "bond0", ports = ["eno1", "eno1"] }\n',
        "F214",
        E,
        5,
        43,
    ),
    (
        "bond-without-ports",
        HEAD + '[hosts.h]\nbond = { name = "bond0" }\n',
        "F215",
        E,
        5,
        8,
    ),
    (
        "bond-port-name-longer-than-15-bytes",
        HEAD + '[hosts.h]\nbond = { name = "bond0", ports = ["enp1s0f0np0abcdef"] }\n',
        "F405",
        E,
        5,
        35,
    ),
    (
        "bridge-named-like-a-bond-port",
        HEAD
        + '[networks.lan]\nipv4 = "10.0.0.0/24"\nbridge = "eno1"\n\n[hosts.h]\n'
        + 'bond = { name = "bond0", ports = ["eno1"] }\n'
        + 'interfaces = [{ network = "lan" }]\n',
        "F407",
        E,
        6,
        10,
    ),
    (
        "vlan-device-on-a-long-bond-name",
        HEAD
        + '[networks.lan]\nipv4 = "10.0.0.0/24"\nvlan = 100\n\n[hosts.h]\n'
        + 'bond = { name = "bond-uplink-01", ports = ["eno1"] }\n'
        + 'interfaces = [{ network = "lan" }]\n',
        "F405",
        E,
        6,
        8,
    ),
    (
        "ipv6-gateway4-outside-the-network-ipv6-prefix",
        HEAD
        + '[networks.lan]\nipv4 = "10.0.0.0/24"\nipv6 = "2001:db8:1::/64"\n'
        + 'gateway4 = "2001:db8:9::1"\n',
        "F216",
        E,
        7,
        12,
    ),
    (
        "ipv6-gateway4-on-a-network-without-ipv4",
        HEAD + '[networks.lan]\nipv6 = "2001:db8:1::/64"\ngateway4 = "fe80::1"\n',
        "F210",
        E,
        6,
        12,
    ),
    (
        "pci-path-without-domain",
        vms('devices = [{ bus = "pci", path = "01:00.0" }]'),
        "F630",
        E,
        8,
        34,
    ),
    (
        "pci-path-in-uppercase",
        vms('devices = [{ bus = "pci", path = "0000:01:0A.0" }]'),
        "F630",
        E,
        8,
        34,
    ),
    (
        "usb-path-without-product",
        vms('devices = [{ bus = "usb", path = "vendorid=0x1234" }]'),
        "F630",
        E,
        8,
        34,
    ),
    (
        "one-pci-device-for-two-vms-on-one-host",
        vms(PCI, PCI),
        "F631",
        E,
        12,
        12,
    ),
    (
        "usb-passthrough-on-cloud-hypervisor",
        vms(
            'devices = [{ bus = "usb", path = "hostbus=1,hostaddr=4" }]',
            hypervisor="cloud-hypervisor",
        ),
        "F632",
        E,
        9,
        20,
    ),
    (
        "microvm-host-false-on-a-host-with-vms",
        HEAD + '[hosts.h]\nmicrovm_host = false\n\n[vms.a]\nhost = "h"\n',
        "F633",
        E,
        5,
        16,
    ),
    (
        "overlay-from-an-unknown-input",
        HEAD.replace('"t"\n', '"t"\noverlays = ["inputs.nope.overlays.default"]\n'),
        "F006",
        E,
        3,
        13,
    ),
]

SHAPE_CLEAN_CASES = [
    (
        "ipv4-via-link-local-ipv6-gateway",
        HEAD
        + '[networks.lan]\nipv4 = "192.0.2.0/24"\ngateway4 = "fe80::1"\n'
        + 'ipv6 = "2001:db8:1::/64"\ngateway6 = "fe80::1"\n',
    ),
    (
        "ipv4-via-ipv6-gateway-inside-the-network",
        HEAD
        + '[networks.lan]\nipv4 = "192.0.2.0/24"\ngateway4 = "2001:db8:1::1"\n'
        + 'ipv6 = "2001:db8:1::/64"\n',
    ),
    (
        "one-device-on-two-hosts-and-usb-by-place",
        HEAD
        + "[hosts.h]\n\n[hosts.g]\n\n"
        + f'[vms.a]\nhost = "h"\n{PCI}\n\n[vms.b]\nhost = "g"\n'
        + 'devices = [{ bus = "pci", path = "0000:01:00.0" },'
        + ' { bus = "usb", path = "hostbus=1,hostport=1.2" }]\n',
    ),
    (
        "bond-is-the-uplink-and-carries-vlans",
        HEAD
        + '[networks.lan]\nipv4 = "10.0.0.0/24"\nvlan = 7\n\n[hosts.h]\n'
        + 'uplink = "bond0"\n'
        + 'bond = { name = "bond0", ports = ["eno1", "eno2"], mode = "active-backup" }\n'
        + 'interfaces = [{ network = "lan" }]\n\n[hosts.router]\nmicrovm_host = true\n',
    ),
]
