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


def joined_pattern(item: str) -> re.Pattern:
    """Values each matching `item` whole, joined by newlines (which `item`
    never matches). Each value's match ends at a newline or the end, so no
    repetition needs giving back: possessive (`*+`), the match keeps no state
    a value, and it is linear (a plain `*` was 30 times slower at 100,000
    values than at 10,000)."""
    one = rf"(?:{item})(?=\n|\Z)"
    return re.compile(rf"{one}(?:\n{one})*+")


def all_match(joined: re.Pattern, values: list) -> bool:
    """Each value a str (not a subclass) that the item of `joined` (a
    `joined_pattern`) matches whole: one regex call for the whole list."""
    if not values:
        return True
    if set(map(type, values)) != {str}:
        return False
    text = "\n".join(values)
    return text.count("\n") == len(values) - 1 and bool(joined.fullmatch(text))
