"""One small bad fleet per diagnostic of the checks, with the expected place.

Each case: (id, fleet.toml text, code, severity, line, column). Line and column
were counted by hand from the text: the column of `key = "value"` is the
opening quote, len(key) + 4; a `[table]` header's span starts after `[`.
"""

from __future__ import annotations


from checks_cases_adoption import ADOPTION_CASES
from checks_cases_ifnames import IFNAME_CASES
from checks_cases_platforms import PLATFORM_CASES, PLATFORM_CLEAN
from checks_cases_shapes import SHAPE_CASES, SHAPE_CLEAN_CASES
from checks_cases_shapes_two import SHAPE_TWO_CASES, SHAPE_TWO_CLEAN_CASES
from checks_cases_values import VALUE_CASES

from checks_base import E, W, on_lan

CASES = [
    # --- references
    (
        "vm-on-unknown-host",
        """\
[fleet]
name = "t"

[hosts.server1]

[vms.a]
host = "server2"
""",
        "F006",
        E,
        7,
        8,
    ),
    (
        "interface-on-unknown-network",
        on_lan("""\
        interfaces = [{ network = "lna" }]
        """),
        "F006",
        E,
        11,
        27,
    ),
    (
        "host-interface-on-unknown-network",
        """\
[fleet]
name = "t"

[hosts.h]
interfaces = [{ network = "wan" }]
""",
        "F006",
        E,
        5,
        27,
    ),
    (
        "module-from-undeclared-input",
        """\
[fleet]
name = "t"
modules = ["common.nix", "inputs.sops.nixosModules.sops"]
""",
        "F006",
        E,
        3,
        26,
    ),
    # --- names
    (
        "host-name-with-dot",
        """\
[fleet]
name = "t"

[hosts."web.example.org"]
""",
        "F101",
        E,
        4,
        2,
    ),
    (
        "vm-name-ends-with-dash",
        """\
[fleet]
name = "t"

[hosts.h]

[vms.web-]
host = "h"
""",
        "F101",
        E,
        6,
        2,
    ),
    (
        "network-name-with-space",
        """\
[fleet]
name = "t"

[networks."my lan"]
""",
        "F101",
        E,
        4,
        2,
    ),
    (
        "vm-named-like-a-host",
        """\
[fleet]
name = "t"

[hosts.web]

[vms.web]
host = "web"
""",
        "F102",
        E,
        6,
        2,
    ),
    (
        "input-named-nixpkgs",
        """\
[fleet]
name = "t"

[fleet.inputs.nixpkgs]
url = "github:NixOS/nixpkgs"
""",
        "F102",
        E,
        4,
        2,
    ),
    # --- machine-ids
    (
        "machine-id-too-short",
        """\
[fleet]
name = "t"

[hosts.h]
machine_id = "0123"
""",
        "F110",
        E,
        5,
        14,
    ),
    (
        "machine-id-uppercase",
        """\
[fleet]
name = "t"

[hosts.h]
machine_id = "0123456789ABCDEF0123456789ABCDEF"
""",
        "F111",
        E,
        5,
        14,
    ),
    (
        "machine-id-all-zero",
        """\
[fleet]
name = "t"

[hosts.h]
machine_id = "00000000000000000000000000000000"
""",
        "F112",
        E,
        5,
        14,
    ),
    (
        "vm-with-its-hosts-machine-id",
        """\
[fleet]
name = "t"

[hosts.h]
machine_id = "0123456789abcdef0123456789abcdef"

[vms.a]
host = "h"
machine_id = "0123456789abcdef0123456789abcdef"
""",
        "F113",
        E,
        9,
        14,
    ),
    (
        "vm-without-machine-id",
        """\
[fleet]
name = "t"

[hosts.h]

[vms.a]
host = "h"
""",
        "F114",
        E,
        6,
        2,
    ),
    # --- networks
    (
        "routed-network-without-gateway4",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
mode = "routed"
""",
        "F004",
        E,
        6,
        8,
    ),
    (
        "vlan-4095",
        """\
[fleet]
name = "t"

[networks.lan]
vlan = 4095
""",
        "F005",
        E,
        5,
        8,
    ),
    (
        "dns-entry-is-a-name",
        """\
[fleet]
name = "t"

[networks.lan]
dns = ["10.0.0.1", "dns.example"]
""",
        "F201",
        E,
        5,
        20,
    ),
    (
        # RFC 8950 allows an IPv6 next hop, but only one on the link.
        "gateway4-is-ipv6-off-the-link",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "fd00::1"
""",
        "F216",
        E,
        6,
        12,
    ),
    (
        "gateway4-is-the-network-address",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.0"
""",
        "F205",
        E,
        6,
        12,
    ),
    (
        "gateway4-outside-subnet",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.1.1"
""",
        "F207",
        E,
        6,
        12,
    ),
    (
        "gateway6-neither-inside-nor-link-local",
        """\
[fleet]
name = "t"

[networks.lan]
ipv6 = "fd00::/64"
gateway6 = "fd01::1"
""",
        "F207",
        E,
        6,
        12,
    ),
    (
        "networks-overlap",
        """\
[fleet]
name = "t"

[networks.big]
ipv4 = "10.0.0.0/16"

[networks.small]
ipv4 = "10.0.5.0/24"
""",
        "F208",
        E,
        8,
        8,
    ),
    (
        "gateway6-without-ipv6",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway6 = "fe80::1"
""",
        "F210",
        E,
        6,
        12,
    ),
    (
        "network-with-host-bits",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.1/24"
""",
        "F211",
        E,
        5,
        8,
    ),
    (
        "reserved-range-backwards",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
reserved = ["10.0.0.5", "10.0.0.9-10.0.0.3"]
""",
        "F211",
        E,
        6,
        25,
    ),
    # --- interface addresses (vm `a` on lan 10.0.0.0/24, see VM_ON_LAN)
    (
        "address-octet-too-big",
        on_lan("""\
        interfaces = [{ network = "lan", ipv4 = "10.0.0.300" }]
        """),
        "F201",
        E,
        11,
        41,
    ),
    (
        "address-outside-network",
        on_lan("""\
        interfaces = [{ network = "lan", ipv4 = "10.0.1.5" }]
        """),
        "F202",
        E,
        11,
        41,
    ),
    (
        "address-duplicates-hosts-own",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.h]
interfaces = [{ network = "lan", ipv4 = "10.0.0.10" }]

[vms.a]
host = "h"
interfaces = [{ network = "lan", ipv4 = "10.0.0.10" }]
""",
        "F203",
        E,
        12,
        41,
    ),
    (
        "ipv6-address-duplicated",
        """\
[fleet]
name = "t"

[networks.lan]
ipv6 = "fd00::/64"

[hosts.h]

[vms.a]
host = "h"
interfaces = [{ network = "lan", ipv6 = "fd00::10" }]

[vms.b]
host = "h"
interfaces = [{ network = "lan", ipv6 = "fd00:0::10" }]
""",
        "F204",
        E,
        15,
        41,
    ),
    (
        "address-is-broadcast",
        on_lan("""\
        interfaces = [{ network = "lan", ipv4 = "10.0.0.255" }]
        """),
        "F205",
        E,
        11,
        41,
    ),
    (
        "vm-address-is-the-gateway",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"

[hosts.h]

[vms.a]
host = "h"
interfaces = [{ network = "lan", ipv4 = "10.0.0.1" }]
""",
        "F205",
        E,
        12,
        41,
    ),
    (
        "address-in-reserved-range",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
reserved = ["10.0.0.2", "10.0.0.240-10.0.0.249", "10.0.0.128/30"]

[hosts.h]

[vms.a]
host = "h"
interfaces = [{ network = "lan", ipv4 = "10.0.0.245" }]
""",
        "F206",
        E,
        12,
        41,
    ),
    (
        "vm-interface-without-ipv4",
        on_lan("""\
        interfaces = [{ network = "lan" }]
        """),
        "F209",
        E,
        11,
        15,
    ),
    (
        "ipv6-on-ipv4-only-network",
        on_lan("""\
        interfaces = [{ network = "lan", ipv4 = false, ipv6 = "fd00::5" }]
        """),
        "F210",
        E,
        11,
        55,
    ),
    (
        "two-interfaces-on-one-network",
        on_lan("""\
        interfaces = [
          { network = "lan", ipv4 = "10.0.0.10" },
          { network = "lan", ipv4 = "10.0.0.11" },
        ]
        """),
        "F212",
        E,
        13,
        15,
    ),
    # --- MACs
    (
        "mac-five-octets",
        on_lan("""\
        interfaces = [{ network = "lan", mac = "02:00:00:00:00" }]
        """),
        "F301",
        E,
        11,
        40,
    ),
    (
        "mac-multicast",
        on_lan("""\
        interfaces = [{ network = "lan", mac = "03:00:00:00:00:01" }]
        """),
        "F302",
        E,
        11,
        40,
    ),
    (
        "mac-duplicate-in-other-case",
        on_lan("""\
        interfaces = [{ network = "lan", mac = "02:00:00:00:00:AA" }]

        [vms.b]
        host = "h"
        interfaces = [{ network = "lan", mac = "02:00:00:00:00:aa" }]
        """),
        "F303",
        E,
        15,
        40,
    ),
    (
        "mac-universally-administered",
        on_lan("""\
        interfaces = [{ network = "lan", mac = "00:16:3e:00:00:01" }]
        """),
        "F304",
        W,
        11,
        40,
    ),
    (
        "vm-interface-without-mac",
        on_lan("""\
        interfaces = [{ network = "lan" }]
        """),
        "F305",
        E,
        11,
        15,
    ),
    # --- tap ids
    (
        "tap-id-16-bytes",
        on_lan("""\
        interfaces = [{ network = "lan", id = "vm-abcdefghijklm" }]
        """),
        "F401",
        E,
        11,
        39,
    ),
    (
        "tap-id-with-slash",
        on_lan("""\
        interfaces = [{ network = "lan", id = "vm/a" }]
        """),
        "F402",
        E,
        11,
        39,
    ),
    (
        "tap-id-twice-on-a-host",
        on_lan("""\
        interfaces = [{ network = "lan", id = "vm-x" }]

        [vms.b]
        host = "h"
        interfaces = [{ network = "lan", id = "vm-x" }]
        """),
        "F403",
        E,
        15,
        39,
    ),
    (
        "tap-id-is-the-uplink",
        """\
[fleet]
name = "t"

[networks.lan]

[hosts.h]
uplink = "eno1"

[vms.a]
host = "h"
interfaces = [{ network = "lan", id = "eno1" }]
""",
        "F403",
        E,
        11,
        39,
    ),
    (
        "vm-interface-without-id",
        on_lan("""\
        interfaces = [{ network = "lan" }]
        """),
        "F404",
        E,
        11,
        15,
    ),
]

STORAGE_CASES = [
    # --- shares and volumes (fleet.journal and the store share are on by default)
    (
        "share-tag-twice",
        on_lan("""\
        shares = [
          { tag = "srv", source = "/srv/a", mount = "/srv/a" },
          { tag = "srv", source = "/srv/b", mount = "/srv/b" },
        ]
        """),
        "F501",
        E,
        13,
        11,
    ),
    (
        "share-tag-journal-taken-by-fleetc",
        on_lan("""\
        shares = [{ tag = "journal", source = "/srv/j", mount = "/srv/j" }]
        """),
        "F501",
        E,
        11,
        19,
    ),
    (
        "share-socket-twice",
        on_lan("""\
        [[vms.a.shares]]
        tag = "one"
        source = "/srv/a"
        mount = "/srv/a"
        socket = "s.sock"

        [[vms.a.shares]]
        tag = "two"
        source = "/srv/b"
        mount = "/srv/b"
        socket = "s.sock"
        """),
        "F502",
        E,
        21,
        10,
    ),
    (
        "share-mount-relative",
        on_lan("""\
        shares = [{ tag = "srv", source = "/srv", mount = "srv" }]
        """),
        "F503",
        E,
        11,
        51,
    ),
    (
        "volume-mount-on-journal",
        on_lan("""\
        volumes = [{ image = "j.img", mount = "/var/log/journal", size = 64 }]
        """),
        "F503",
        E,
        11,
        39,
    ),
    (
        "volume-image-twice",
        on_lan("""\
        volumes = [
          { image = "var.img", mount = "/var", size = 64 },
          { image = "./var.img", mount = "/data", size = 64 },
        ]
        """),
        "F504",
        E,
        13,
        13,
    ),
    (
        "volume-size-zero",
        on_lan("""\
        volumes = [{ image = "var.img", mount = "/var", size = 0 }]
        """),
        "F505",
        E,
        11,
        56,
    ),
    (
        "volume-without-size",
        on_lan("""\
        [[vms.a.volumes]]
        image = "var.img"
        """),
        "F505",
        E,
        11,
        3,
    ),
    (
        "share-source-climbs-out",
        on_lan("""\
        shares = [{ tag = "srv", source = "../b/srv", mount = "/srv" }]
        """),
        "F506",
        E,
        11,
        35,
    ),
    # --- hypervisor and devices
    (
        "vcpu-zero",
        on_lan("""\
        vcpu = 0
        """),
        "F005",
        E,
        11,
        8,
    ),
    (
        "vsock-cid-2",
        on_lan("""\
        vsock_cid = 2
        """),
        "F601",
        E,
        11,
        13,
    ),
    (
        "vsock-cid-twice-on-a-host",
        on_lan("""\
        vsock_cid = 7

        [vms.b]
        host = "h"
        vsock_cid = 7
        """),
        "F602",
        E,
        15,
        13,
    ),
    (
        "hypervisor-misspelt",
        on_lan("""\
        hypervisor = "cloud-hypervisr"
        """),
        "F603",
        E,
        11,
        14,
    ),
    (
        "interface-type-unknown",
        on_lan("""\
        interfaces = [{ network = "lan", type = "tun" }]
        """),
        "F604",
        E,
        11,
        41,
    ),
    (
        "user-networking-on-cloud-hypervisor",
        on_lan("""\
        hypervisor = "cloud-hypervisor"
        interfaces = [{ network = "lan", type = "user" }]
        """),
        "F604",
        E,
        12,
        41,
    ),
    (
        "macvtap-without-mode",
        on_lan("""\
        interfaces = [{ network = "lan", type = "macvtap", macvtap_link = "eno1" }]
        """),
        "F605",
        E,
        11,
        41,
    ),
    (
        "share-proto-nfs",
        on_lan("""\
        shares = [{ tag = "srv", source = "/srv", mount = "/srv", proto = "nfs" }]
        """),
        "F606",
        E,
        11,
        67,
    ),
    (
        "macvtap-mode-misspelt",
        on_lan("""\
        [[vms.a.interfaces]]
        network = "lan"
        type = "macvtap"
        macvtap_link = "eno1"
        macvtap_mode = "bridged"
        """),
        "F607",
        E,
        15,
        16,
    ),
]

ALL_CASES = (
    CASES
    + STORAGE_CASES
    + IFNAME_CASES
    + ADOPTION_CASES
    + VALUE_CASES
    + PLATFORM_CASES
    + SHAPE_CASES
    + SHAPE_TWO_CASES
)

# Fleets that look suspicious but are fine: `checks.run` reports nothing.
CLEAN_CASES = [
    (
        "host-holds-the-gateway-address",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"

[hosts.h]
interfaces = [{ network = "lan", ipv4 = "10.0.0.1" }]
""",
    ),
    (
        "link-local-gateway6-and-adjacent-networks",
        """\
[fleet]
name = "t"

[networks.a]
ipv4 = "10.0.0.0/24"
ipv6 = "fd00::/64"
gateway6 = "fe80::1"

[networks.b]
ipv4 = "10.0.1.0/24"
ipv6 = "fd00:0:0:1::/64"
""",
    ),
    (
        "point-to-point-31-uses-both-addresses",
        """\
[fleet]
name = "t"

[networks.p2p]
ipv4 = "10.9.0.0/31"

[hosts.h]
interfaces = [{ network = "p2p", ipv4 = "10.9.0.0" }]

[vms.a]
host = "h"
interfaces = [{ network = "p2p", ipv4 = "10.9.0.1" }]
""",
    ),
    (
        "same-tap-id-on-two-hosts-and-user-ids-per-vm",
        """\
[fleet]
name = "t"

[networks.lan]

[hosts.h1]

[hosts.h2]

[vms.a]
host = "h1"
interfaces = [{ network = "lan", id = "vm-x" }]

[vms.b]
host = "h2"
interfaces = [{ network = "lan", id = "vm-x" }]

[vms.c]
host = "h1"
interfaces = [{ network = "lan", id = "u", type = "user" }]

[vms.d]
host = "h1"
interfaces = [{ network = "lan", id = "u", type = "user" }]
""",
    ),
    (
        "journal-and-store-names-free-when-fleetc-does-not-use-them",
        """\
[fleet]
name = "t"
journal = false
store = "disk"

[hosts.h]

[vms.a]
host = "h"
shares = [
  { tag = "journal", source = "j", mount = "/var/log/journal", proto = "9p" },
  { tag = "ro-store", source = "s", mount = "/nix/.ro-store", proto = "9p" },
]
""",
    ),
]
CLEAN_CASES += PLATFORM_CLEAN
CLEAN_CASES += SHAPE_CLEAN_CASES
CLEAN_CASES += SHAPE_TWO_CLEAN_CASES
