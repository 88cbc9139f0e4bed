"""Cases for the shapes real fleets have, part two (issue 22): ids left to the
VM, addressing from the network, hosts that route, shares needed at boot,
shares from the repository, per-VM deploy modes and microvm.* options, in the
form of checks_cases.py: (id, fleet.toml, code, severity, line, column).

Counted by hand: `key = "value"` puts the value at column len(key) + 4.
"""

from __future__ import annotations

from checks_base import W, on_lan

HEAD = """\
[fleet]
name = "t"

"""

SHAPE_TWO_CASES = [
    (
        "machine-id-false-with-the-journal-shared",
        HEAD + '[hosts.h]\n\n[vms.a]\nhost = "h"\nmachine_id = false\n',
        "F115",
        W,
        8,
        14,
    ),
]

SHAPE_TWO_CLEAN_CASES = [
    (
        "machine-id-false-without-a-journal",
        on_lan('machine_id = false\njournal = "none"\n'),
    ),
]
