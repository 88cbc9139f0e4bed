"""The formats of values that the checks, allocation and fleet.lock all judge:
one definition each, in the core, so no inner layer imports another's checks.
"""

from __future__ import annotations

import re

# systemd's machine-id(5): 32 lowercase hex digits (ANY_CASE: as users write it).
MACHINE_ID = re.compile(r"[0-9a-f]{32}")
ANY_CASE = re.compile(r"[0-9a-fA-F]{32}")
MAC = re.compile(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")
# NixOS's `networking.hostName` check, in the C locale (ASCII alphanumerics).
HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?")
# Network and input names become systemd unit names and Nix attribute names.
UNIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
IFNAMSIZ = 16  # Linux's limit on interface names, including the terminating NUL
LEGAL = re.compile(r"[A-Za-z0-9_.-]+")
