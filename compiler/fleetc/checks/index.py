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
from typing import Callable, Iterable, Iterator, TypeVar, Union

from ..core.model import (
    Fleet,
    Host,
    HostInterface,
    Interface,
    Network,
    Share,
    Vm,
    Volume,
)

# VM interface types whose network gets a bridge on the host (emit/host_network.py).
BRIDGED_TYPES = ("tap", "bridge")

Owner = Union[Host, Vm]
T = TypeVar("T")


class Index:
    """The fleet's derived tables, each a tuple made on first use."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self._derived: dict[Callable, tuple] = {}

    @cached_property
    def networks(self) -> dict[str, Network]:
        """Network by name, as Fleet.network finds it (the last of a name)."""
        return {network.name: network for network in self.fleet.networks}

    @cached_property
    def hosts(self) -> dict[str, Host]:
        """Host by name, as Fleet.host finds it."""
        return {host.name: host for host in self.fleet.hosts}

    @cached_property
    def machines(self) -> tuple[Owner, ...]:
        """Hosts, then VMs: a VM clashing with a host is the one reported."""
        return (*self.fleet.hosts, *self.fleet.vms)

    @cached_property
    def vm_bridged_networks(self) -> dict[str, frozenset[str]]:
        """Host name -> the networks its VMs join by a tap or a bridge interface
        (whatever the network's mode)."""
        found: dict[str, set[str]] = {}
        for vm, interface in self.vm_interfaces:
            if interface.type in BRIDGED_TYPES:
                found.setdefault(vm.host, set()).add(interface.network)
        return {host: frozenset(names) for host, names in found.items()}

    @cached_property
    def vm_interfaces(self) -> tuple[tuple[Vm, Interface], ...]:
        """(vm, interface) of every VM, in the fleet's order."""
        return tuple((vm, i) for vm in self.fleet.vms for i in vm.interfaces)

    @cached_property
    def vm_shares(self) -> tuple[tuple[Vm, Share], ...]:
        """(vm, share) of every VM: one flat table reads fewer of the model's
        objects than a walk through each VM (half the cache misses at 100,000)."""
        return tuple((vm, share) for vm in self.fleet.vms for share in vm.shares)

    @cached_property
    def vm_volumes(self) -> tuple[tuple[Vm, Volume], ...]:
        return tuple((vm, volume) for vm in self.fleet.vms for volume in vm.volumes)

    @cached_property
    def interfaces(self) -> tuple[tuple[Owner, HostInterface | Interface], ...]:
        """Hosts' own interfaces first, so that VMs' duplicates are reported."""
        hosts = ((host, i) for host in self.fleet.hosts for i in host.interfaces)
        return (*hosts, *self.vm_interfaces)

    def once(self, derive: Callable[[Fleet], Iterable[T]]) -> tuple[T, ...]:
        """What `derive` gives for the fleet, derived on the first call: for a
        table whose code lives with the checks that read it: ifnames.host_names
        (interface names, taps), passthrough.devices, vm_deploy.built_by_host,
        references.module_refs (unknown inputs, follows)."""
        if derive not in self._derived:
            self._derived[derive] = tuple(derive(self.fleet))
        return self._derived[derive]


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
