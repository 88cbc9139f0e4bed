"""Small values shared by the emitters: module references, ids, address forms."""

from __future__ import annotations

import ipaddress
import posixpath
from functools import cache
from operator import attrgetter
from typing import Iterable

from . import nix
from ..core.model import Address, ModuleRef, Network, Vm

JOURNAL_MOUNT = "/var/log/journal"


def by_name(items: Iterable) -> list:
    return sorted(items, key=_NAME)


_NAME = attrgetter("name")


def module(ref: ModuleRef, fleet_dir_from_output: str) -> nix.Expr:
    """A module reference as written in flake.nix (which sits in the output dir)."""
    if ref.is_input:
        return nix.Expr(nix.attr_path(*ref.text.split(".")))
    joined = posixpath.join(fleet_dir_from_output, ref.text)
    return nix.path(posixpath.normpath(joined))


@cache
def from_subdir(fleet_dir_from_output: str) -> str:
    """The fleet file's directory from hosts/, vms/ or lib/: made once a run,
    not once a VM."""
    return posixpath.join("..", fleet_dir_from_output)


def by_network(interfaces: tuple) -> tuple | list:
    """Sorted by network; most machines have one interface, nothing to sort."""
    if len(interfaces) < 2:
        return interfaces
    return sorted(interfaces, key=lambda iface: iface.network)


def modules(refs: Iterable[ModuleRef], fleet_dir_from_output: str) -> list:
    return [module(ref, fleet_dir_from_output) for ref in refs]


def uuid(machine_id: str) -> str:
    """32 hex digits in the 8-4-4-4-12 form microvm.machineId expects."""
    m = machine_id
    return f"{m[:8]}-{m[8:12]}-{m[12:16]}-{m[16:20]}-{m[20:]}"


def present(address: Address) -> bool:
    """Allocation has run: an address is either a string or False (none here)."""
    return isinstance(address, str)


@cache
def prefix_length(cidr: str) -> int:
    return ipaddress.ip_network(cidr, strict=False).prefixlen


def with_prefix(address: str, cidr: str) -> str:
    return f"{address}/{prefix_length(cidr)}"


def bridge_name(network: Network) -> str:
    # A bridge-mode network without `bridge` gets a bridge named like itself.
    return network.bridge or network.name


def journal_dir(state_dir: str, vm: Vm) -> str:
    return posixpath.join(state_dir, vm.name, "journal")
