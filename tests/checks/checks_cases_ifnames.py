"""Cases for checks/ifnames.py (F405..F407), in the form of checks_cases.py.

Line and column counted by hand: `key = "value"` puts the value at column
len(key) + 4; an inline table's value at the column of its opening quote.
"""

from __future__ import annotations

E = "error"


def bridged(network_lines: str, host_lines: str = "") -> str:
    """Network `lan` at lines 4.., host `h` joining it at lines 8..10."""
    return f"""\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"
{network_lines}

[hosts.h]
{host_lines}
interfaces = [{{ network = "lan" }}]
"""


IFNAME_CASES = [
    (
        "bridge-name-with-blank-and-semicolon",
        bridged('bridge = "br lan;rm"'),
        "F406",
        E,
        6,
        10,
    ),
    (
        "bridge-name-16-bytes",
        bridged('bridge = "br-0123456789abc"'),
        "F405",
        E,
        6,
        10,
    ),
    (
        "vlan-device-19-bytes",
        bridged("vlan = 4000", 'uplink = "enp0s31f6abcde"'),
        "F405",
        E,
        6,
        8,
    ),
    (
        "uplink-with-a-blank",
        bridged('bridge = "br0"', 'uplink = "eth 0"'),
        "F406",
        E,
        9,
        10,
    ),
    (
        "bridge-named-like-the-uplink",
        bridged('bridge = "eno1"', 'uplink = "eno1"'),
        "F407",
        E,
        6,
        10,
    ),
    (
        "two-networks-one-bridge-on-a-host",
        """\
[fleet]
name = "t"

[networks.lan]
bridge = "br0"

[networks.dmz]
bridge = "br0"

[hosts.h]
interfaces = [{ network = "lan" }, { network = "dmz" }]
""",
        "F407",
        E,
        8,
        10,
    ),
    (
        "bridge-named-like-a-vlan-device",
        """\
[fleet]
name = "t"

[networks.lan]
vlan = 5

[networks.dmz]
bridge = "eno1.5"

[hosts.h]
uplink = "eno1"
interfaces = [{ network = "lan" }, { network = "dmz" }]
""",
        "F407",
        E,
        8,
        10,
    ),
    (
        "macvtap-link-16-bytes",
        """\
[fleet]
name = "t"

[networks.lan]

[hosts.h]

[vms.a]
host = "h"
[[vms.a.interfaces]]
network = "lan"
type = "macvtap"
macvtap_link = "enp0s31f6abcdef0"
macvtap_mode = "bridge"
""",
        "F405",
        E,
        13,
        16,
    ),
    (
        # Taps are held against every bridge of their host, also one that
        # only the host's own interface joins.
        "tap-named-like-a-bridge-the-host-joins",
        """\
[fleet]
name = "t"

[networks.lan]
bridge = "br0"

[networks.dmz]

[hosts.h]
interfaces = [{ network = "lan" }]

[vms.a]
host = "h"
interfaces = [{ network = "dmz", id = "br0" }]
""",
        "F403",
        E,
        14,
        39,
    ),
    (
        "two-networks-one-vlan-on-a-host",
        """\
[fleet]
name = "t"

[networks.lan]
vlan = 7

[networks.dmz]
vlan = 7

[hosts.h]
uplink = "eno1"
interfaces = [{ network = "lan" }, { network = "dmz" }]
""",
        "F407",
        E,
        8,
        8,
    ),
]
