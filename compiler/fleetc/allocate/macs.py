"""MACs: unicast, locally administered, and predictable from the VM's name.

Hashing "<fqdn> <network>" gives every interface the same MAC on every run,
even without a lock, the way large hand-written fleets derive theirs.
"""

from __future__ import annotations

import hashlib
from typing import Hashable

from ..core.formats import MAC
from ..lock.lockfile import Lock
from ..core.model import Fleet, Vm
from .settle import FLEET_WIDE, Kind, Slot, Taken, interface_slots

MULTICAST = 0x01
LOCALLY_ADMINISTERED = 0x02


def derived(fqdn: str, network: str, attempt: int = 0) -> str:
    seed = f"{fqdn} {network}" + (f" {attempt}" if attempt else "")
    octets = bytearray(hashlib.sha256(seed.encode()).digest()[:6])
    octets[0] = (octets[0] | LOCALLY_ADMINISTERED) & ~MULTICAST & 0xFF
    return ":".join(f"{octet:02x}" for octet in octets)


def fqdn(fleet: Fleet, vm: Vm) -> str:
    return f"{vm.name}.{fleet.domain}" if fleet.domain else vm.name


class Macs(Kind):
    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet

    def parse(self, scope: Hashable, value: object) -> Hashable | None:
        if isinstance(value, str) and MAC.fullmatch(value):
            return value.lower()
        return None

    def describe(self, slot: Slot, key: Hashable) -> str:
        return f"MAC address {key}"

    def fresh(self, slot: Slot, taken: dict) -> str:
        name, network = fqdn(self.fleet, slot.vm), slot.interface.network
        attempt = 0
        while (value := derived(name, network, attempt)) in taken:
            attempt += 1
        return value


def slots(fleet: Fleet, lock: Lock) -> list[Slot]:
    return list(interface_slots(fleet, lock, "mac", lambda vm, interface: FLEET_WIDE))


def taken(fleet: Fleet) -> Taken:
    return {}
