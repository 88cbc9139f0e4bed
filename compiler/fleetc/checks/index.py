"""What several checks read of the fleet, derived once a run and shared.

Eighteen checks walk every VM's interfaces, three more every host's interface
names: at 10,000 VMs each walk cost milliseconds, and at 100,000 the model no
longer fits in the cache, so every walk costs its misses again. `run` derives
each of these once (when a check first asks) and every check of that run
reads the same read-only tuples; a check called on its own derives its own.
tests/checks/test_index.py compares each with its plain derivation on random
fleets.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from typing import Iterator, Union

from ..core.model import Fleet, Host, HostInterface, Interface, Share, Vm, Volume

Owner = Union[Host, Vm]


class Index:
    """The fleet's derived tables, each a tuple made on first use."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet

    @cached_property
    def vm_interfaces(self) -> tuple[tuple[Vm, Interface], ...]:
        """(vm, interface) of every VM, in the fleet's order."""
        return tuple((vm, i) for vm in self.fleet.vms for i in vm.interfaces)

    @cached_property
    def interfaces(self) -> tuple[tuple[Owner, HostInterface | Interface], ...]:
        """Hosts' own interfaces first, so that VMs' duplicates are reported."""
        hosts = ((host, i) for host in self.fleet.hosts for i in host.interfaces)
        return (*hosts, *self.vm_interfaces)

    @cached_property
    def vm_shares(self) -> tuple[tuple[Vm, Share], ...]:
        return tuple((vm, share) for vm in self.fleet.vms for share in vm.shares)

    @cached_property
    def vm_volumes(self) -> tuple[tuple[Vm, Volume], ...]:
        return tuple((vm, volume) for vm in self.fleet.vms for volume in vm.volumes)

    @cached_property
    def host_names(self) -> tuple:
        """checks/ifnames.py's HostNames (interface names and taps read them)."""
        from .ifnames import host_names  # ifnames reads the index in turn

        return tuple(host_names(self.fleet))


_RUN: ContextVar[Index | None] = ContextVar("checks_index", default=None)


def index_of(fleet: Fleet) -> Index:
    """The index of the run checking `fleet`, or a new one outside a run."""
    index = _RUN.get()
    if index is not None and index.fleet is fleet:
        return index
    return Index(fleet)


@contextmanager
def shared(fleet: Fleet) -> Iterator[Index]:
    """One index for every check run inside: made here, dropped on leaving."""
    token = _RUN.set(Index(fleet))
    try:
        yield _RUN.get()
    finally:
        _RUN.reset(token)
