"""lib/compat.nix: the one place that knows microvm.nix generations differ.

A host or VM module that writes an option the oldest generation fleetc
supports lacks (emit/guards.py) is written as a hand-written module would be
and passed through it: `import ../lib/compat.nix { ... }`. The file lists
those options for the whole tree (`newer`); at evaluation it leaves out each
one the microvm.nix in use does not declare, writes the FAQ's /etc/machine-id
where microvm.machineId is missing, and fails with an assertion where a
read-only share or a hypervisor cannot be had (see the file's comment).
"""

from __future__ import annotations

from .templating import render

PATH = "lib/compat.nix"


def compat_files(newer: set[str], layout, used: bool) -> dict[str, str]:
    """Written when some module uses it (`newer`: what the tree's modules list)."""
    if not used:
        return {}
    return {PATH: render("compat.nix.j2", layout.source_name, newer=sorted(newer))}
