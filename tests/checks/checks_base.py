"""The fleet most check cases start from, shared by checks_cases*.py."""

from __future__ import annotations

from textwrap import dedent

E, W = "error", "warning"

# Lines 1..10; a case continues at line 11. Interfaces of vm `a` go on lan.
VM_ON_LAN = """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.h]

[vms.a]
host = "h"
"""


def on_lan(tail: str) -> str:
    return VM_ON_LAN + dedent(tail)
