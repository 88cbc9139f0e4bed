"""Cases for checks/values.py, checks/systems.py and checks/unit_values.py
(F150, F510..F514, F520), in the form of checks_cases.py. F151 is about the
file's name, not its text: tests/checks/test_values.py gives it a real file.

Line and column counted by hand: `key = "value"` puts the value at column
len(key) + 4; in `shares = [{ tag = "x", ...}]` the tag's value is at column 19,
`source`'s at 35 (with tag `srv`), `socket`'s at 68 (source `/srv`).
"""

from __future__ import annotations

E = "error"


def vm(lines: str, fleet_lines: str = "") -> str:
    """VM `v` on host `h`; `lines` from line 9, `fleet_lines` at line 3."""
    return f"""\
[fleet]
name = "t"
{fleet_lines}

[hosts.h]

[vms.v]
host = "h"
{lines}
"""


def share(tag: str = "srv", source: str = "/srv", extra: str = "") -> str:
    return f'shares = [{{ tag = "{tag}", source = "{source}", mount = "/srv"{extra} }}]'


def image(path: str) -> str:
    return f'volumes = [{{ image = "{path}", mount = "/var", size = 64 }}]'


NETWORK = """\
[fleet]
name = "t"

[networks.lan]
ipv6 = "fd00::/64"
gateway6 = "fe80::1%br0\\nDNS=1.1.1.1"
"""

VALUE_CASES = [
    ("share-tag-adds-qemu-options", vm(share("data,id=x")), "F510", E, 9, 19),
    ("share-tag-with-slash", vm(share("a/../b")), "F510", E, 9, 19),
    ("share-tag-37-bytes", vm(share("t" * 37)), "F511", E, 9, 19),
    ("share-source-with-comma", vm(share(source="/srv/a,b")), "F512", E, 9, 35),
    (
        "share-socket-with-blank",
        vm(share(extra=', socket = "a b.sock"')),
        "F512",
        E,
        9,
        68,
    ),
    (
        "share-socket-109-bytes",
        vm(share(extra=f', socket = "{"s" * 104}.sock"')),
        "F513",
        E,
        9,
        68,
    ),
    (
        "volume-image-adds-drive-options",
        vm(image("a.img,format=qcow2")),
        "F512",
        E,
        9,
        22,
    ),
    ("relative-image-read-as-protocol", vm(image("nbd:x.img")), "F512", E, 9, 22),
    ("state-dir-with-blank", vm("", 'state_dir = "/var/lib/my vms"'), "F512", E, 3, 13),
    ("state-dir-relative", vm("", 'state_dir = "var/lib/microvms"'), "F514", E, 3, 13),
    ("system-not-a-double", vm("", 'system = "x86-64-linux"'), "F150", E, 3, 10),
    ("vm-system-with-newline", vm('system = "x86_64-linux\\n"'), "F150", E, 9, 10),
    ("vm-system-darwin", vm('system = "aarch64-darwin"'), "F150", E, 9, 10),
    ("gateway-with-zone-and-newline", NETWORK, "F520", E, 6, 12),
]
