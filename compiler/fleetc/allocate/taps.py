"""Tap ids: the interface names on the host, readable and at most 15 bytes.

"vm-<name>" for a VM's first interface and "vm-<name>-<network>" for the
others; when that is too long, its start plus a stable hash suffix.
"""

from __future__ import annotations

import hashlib
import re
from typing import Hashable, Iterator

from ..core.formats import IFNAMSIZ, LEGAL
from ..lock.lockfile import Lock
from ..core.model import Fleet, Interface, Network, Vm
from .settle import Kind, Holder, Slot, Taken, hold, interface_slots

MAX_BYTES = IFNAMSIZ - 1
SUFFIX_DIGITS = 4
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_-]")


def derived(vm: str, network: str, position: int, attempt: int = 0) -> str:
    readable = f"vm-{vm}" if position == 0 else f"vm-{vm}-{network}"
    readable = _NOT_IN_ID.sub("-", readable)
    if attempt == 0 and len(readable) <= MAX_BYTES:
        return readable
    seed = f"{vm} {network} {attempt}".encode()
    suffix = hashlib.sha256(seed).hexdigest()[:SUFFIX_DIGITS]
    return f"{readable[: MAX_BYTES - SUFFIX_DIGITS - 1]}-{suffix}"


def scope(vm: Vm, interface: Interface) -> tuple[str, str]:
    """As the checks see it: user-mode interfaces exist only inside their VM."""
    if interface.type == "user":
        return ("vm", vm.name)
    return ("host", vm.host)


class TapIds(Kind):
    def parse(self, scope: Hashable, value: object) -> Hashable | None:
        if isinstance(value, str) and LEGAL.fullmatch(value):
            return value
        return None

    def describe(self, slot: Slot, key: Hashable) -> str:
        return f"tap id `{key}` on host `{slot.vm.host}`"

    def fresh(self, slot: Slot, taken: dict) -> str:
        vm, network, position = slot.vm.name, slot.interface.network, slot.key[1]
        attempt = 0
        while (value := derived(vm, network, position, attempt)) in taken:
            attempt += 1
        return value


def slots(fleet: Fleet, lock: Lock) -> list[Slot]:
    return list(interface_slots(fleet, lock, "id", scope, per_host=True))


def taken(fleet: Fleet) -> Taken:
    """Hosts' uplinks and bridges are named before any VM's tap."""
    return hold({}, _host_interfaces(fleet))


def _host_interfaces(fleet: Fleet) -> Iterator[tuple[tuple, str, Holder]]:
    for host in fleet.hosts:
        if host.uplink:
            holder = Holder(f"the uplink of host `{host.name}`", host.at("uplink"))
            yield ("host", host.name), host.uplink, holder
    for host, net in _bridges_on_hosts(fleet):
        holder = Holder(f"the bridge of network `{net.name}`", net.at("bridge"))
        yield ("host", host), net.bridge, holder


def _bridges_on_hosts(fleet: Fleet) -> Iterator[tuple[str, Network]]:
    """(host, network) for each bridged network a VM of the host joins, the
    first time it does: ten VMs of a host on one network are one bridge."""
    seen: set[tuple[str, str]] = set()
    for vm in fleet.vms:
        for interface in vm.interfaces:
            net = fleet.network(interface.network)
            if net is None or net.mode != "bridge" or not net.bridge:
                continue
            if (vm.host, net.name) not in seen:
                seen.add((vm.host, net.name))
                yield vm.host, net
