"""Bad fleets for what a hypervisor needs of its host (F610, F611), in the
shape of checks_cases.py: (id, fleet.toml text, code, severity, line, column),
counted by hand (the column of `hypervisor = "vfkit"` is 14)."""

from __future__ import annotations

VFKIT_ON = """\
[fleet]
name = "t"

[networks.nat]
ipv4 = "10.0.2.0/24"

[hosts.h]
system = "{host}"

[vms.a]
host = "h"
system = "{guest}"
hypervisor = "vfkit"
interfaces = [{{ network = "nat", type = "user" }}]
"""

PLATFORM_CASES = [
    (
        "vfkit-on-a-linux-host",
        VFKIT_ON.format(host="x86_64-linux", guest="x86_64-linux"),
        "F610",
        "error",
        13,
        14,
    ),
    (
        "vfkit-guest-of-another-architecture",
        VFKIT_ON.format(host="aarch64-darwin", guest="x86_64-linux"),
        "F611",
        "error",
        13,
        14,
    ),
]

# vfkit on macOS with a guest of the host's architecture: nothing to say.
PLATFORM_CLEAN = [
    (
        "vfkit-on-macos-with-its-architecture",
        VFKIT_ON.format(host="aarch64-darwin", guest="aarch64-linux"),
    ),
]
