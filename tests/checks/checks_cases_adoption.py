"""Cases for checks/adoption.py (F507..F509, F620..F623), in the form of
checks_cases.py.

Lines 1..10 are the fleet, network `lan`, host `h` and `[vms.a]` with its
host; a case continues at line 11. Columns counted by hand: `key = "value"`
puts the value at column len(key) + 4; in an inline table, at the column of
the value's first character.
"""

from __future__ import annotations

from tests.checks.checks_base import E, W
from tests.checks.checks_base import on_lan as vm_a

VAR_SHARE = 'shares = [{ tag = "var", source = "/srv/a/var", mount = "/var" }]\n'

ADOPTION_CASES = [
    (
        "journal-path-outside-every-share",
        vm_a(VAR_SHARE + 'journal = "/srv/log/journal"\n'),
        "F507",
        E,
        12,
        11,
    ),
    (
        "journal-path-without-shares",
        vm_a('journal = "/var/log/journal"\n'),
        "F507",
        E,
        11,
        11,
    ),
    (
        "journal-value-neither-mode-nor-path",
        vm_a('journal = "shared"\n'),
        "F508",
        E,
        11,
        11,
    ),
    (
        "journal-path-with-dotdot",
        vm_a(VAR_SHARE + 'journal = "/var/../log/journal"\n'),
        "F508",
        E,
        12,
        11,
    ),
    (
        "journal-share-over-a-var-share",
        vm_a(VAR_SHARE),
        "F509",
        W,
        11,
        57,
    ),
    (
        "vsock-false-with-a-cid",
        vm_a("vsock = false\nvsock_cid = 7\n"),
        "F620",
        E,
        12,
        13,
    ),
    (
        "vhost-on-a-macvtap",
        vm_a("""\
        interfaces = [{ network = "lan", type = "macvtap", macvtap_link = "eno1", macvtap_mode = "bridge", vhost = true }]
        """),
        "F621",
        E,
        11,
        108,
    ),
    (
        "vhost-with-cloud-hypervisor",
        vm_a("""\
        hypervisor = "cloud-hypervisor"
        interfaces = [{ network = "lan", vhost = true }]
        """),
        "F622",
        W,
        12,
        42,
    ),
    (
        "journal-path-not-journalds",
        vm_a(VAR_SHARE + 'journal = "/var/journal"\n'),
        "F623",
        W,
        12,
        11,
    ),
]
