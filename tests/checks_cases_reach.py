"""Cases for what a VM's network reaches beyond its host (F217, F223), in the
form of checks_cases.py: (id, fleet.toml, code, severity, line, column).

Counted by hand: in `interfaces = [{ network = "lan" }]` the network's value
is at column 27; `mode = "routed"`'s value at column 8.
"""

from __future__ import annotations

W = "warning"

REACH_CASES = [
    (
        "vm-on-a-network-its-host-has-no-uplink-for",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.h]

[vms.a]
host = "h"
interfaces = [{ network = "lan" }]
""",
        "F217",
        W,
        11,
        27,
    ),
    (
        "second-untagged-network-left-without-the-uplink",
        """\
[fleet]
name = "t"

[networks.alan]
ipv4 = "10.1.0.0/24"

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.h]
uplink = "eno1"
interfaces = [{ network = "alan", ipv4 = "10.1.0.2" }]

[vms.a]
host = "h"
interfaces = [{ network = "lan" }]
""",
        "F217",
        W,
        16,
        27,
    ),
    (
        "routed-network-without-nat",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
mode = "routed"

[hosts.h]
uplink = "eno1"

[vms.a]
host = "h"
interfaces = [{ network = "lan" }]
""",
        "F223",
        W,
        7,
        8,
    ),
]

REACH_CLEAN = [
    (
        "vms-on-a-vlan-and-on-the-untagged-uplink",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
vlan = 7

[networks.mgmt]
ipv4 = "10.1.0.0/24"

[hosts.h]
uplink = "eno1"
interfaces = [{ network = "mgmt", ipv4 = "10.1.0.2" }]

[vms.a]
host = "h"
interfaces = [{ network = "lan" }, { network = "mgmt" }]
""",
    ),
    (
        "user-networking-needs-no-uplink",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.h]

[vms.a]
host = "h"
interfaces = [{ network = "lan", type = "user" }]
""",
    ),
    (
        "the-fleet-writes-the-hosts-network-itself",
        """\
[fleet]
name = "t"
network_stack = "none"

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.h]

[vms.a]
host = "h"
interfaces = [{ network = "lan" }]
""",
    ),
    (
        "a-routed-network-no-vm-is-on",
        """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
mode = "routed"
""",
    ),
]
