"""`system` of the fleet, hosts and VMs (F150), and the fleet file's own name
(F151).

`system` becomes `nixpkgs.lib.nixosSystem { system = ...; }`, the attribute
`packages.<system>` of the generated flake, and selects microvm.nix's runner
for that platform. VMs are NixOS machines, so it must be one of Nix's Linux
system doubles (nixpkgs lib/systems/doubles.nix); a host may also be a Mac
(`*-darwin`), which runs vfkit VMs (F610 keeps every other hypervisor off it).

The fleet file's name goes into a comment line of every generated file and of
fleet.lock: a line break there would end the comment and start TOML or Nix.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Vm
from ..core.source import Span
from .common import Suggester, machines
from .values import shown, strays

LINUX_DOUBLES = (
    "aarch64-linux",
    "armv5tel-linux",
    "armv6l-linux",
    "armv7a-linux",
    "armv7l-linux",
    "i686-linux",
    "loongarch64-linux",
    "m68k-linux",
    "microblaze-linux",
    "microblazeel-linux",
    "mips-linux",
    "mips64-linux",
    "mips64el-linux",
    "mipsel-linux",
    "powerpc-linux",
    "powerpc64-linux",
    "powerpc64le-linux",
    "riscv32-linux",
    "riscv64-linux",
    "s390-linux",
    "s390x-linux",
    "x86_64-linux",
)
DARWIN_DOUBLES = ("aarch64-darwin", "x86_64-darwin")
LINUX = frozenset(LINUX_DOUBLES)
KNOWN = frozenset(LINUX_DOUBLES + DARWIN_DOUBLES)
# A comment line ends at a line break (TOML also refuses control characters).
NOT_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SYSTEM_HELP = "a Nix system double `<cpu>-linux`, e.g. x86_64-linux or aarch64-linux"


def check_systems(fleet: Fleet) -> Iterator[Diagnostic]:
    """Each bad value once where it was written: hosts and VMs that take
    fleet.system (or [defaults.vm]'s) carry that value's span."""
    suggest, seen = Suggester(LINUX_DOUBLES + DARWIN_DOUBLES), set()
    for node in [fleet, *machines(fleet)]:
        if node.system in (LINUX if isinstance(node, Vm) else KNOWN):
            continue  # most nodes: their spans are never looked up
        span = node.at("system")
        where = (node.system, span.start if span is not None else None)
        if where not in seen:
            seen.add(where)
            message = f"system `{shown(node.system)}` is not a Nix system double"
            if node.system in KNOWN:
                message = f"system `{node.system}` cannot run a MicroVM: VMs run NixOS"
            help = suggest(node.system) or SYSTEM_HELP
            yield error("F150", message, span, help=help)


def check_source_name(fleet: Fleet) -> Iterator[Diagnostic]:
    name = PurePosixPath(fleet.source_name).name
    if strays(name, NOT_IN_NAME):
        yield error("F151", _name_message(name), _file_span(fleet), help=NAME_HELP)


NAME_HELP = "rename the fleet file: its name is written into comment lines"


def _name_message(name: str) -> str:
    return f"fleet file name `{shown(name)}` contains a line break or control character"


def _file_span(fleet: Fleet) -> Span | None:
    """The start of the file: the name is the file's, not any value's."""
    if fleet.span is None:
        return None
    return Span(fleet.span.source, 0, 0)
