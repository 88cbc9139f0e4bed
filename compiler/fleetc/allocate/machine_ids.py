"""machine-ids: microvm.nix's own default, or random like `systemd-id128 new`.

microvm.nix derives `microvm.machineId` from sha256("microvm.nix:<hostName>");
fleetc derives the same 32 digits, so that a VM adopted from a plain
microvm.nix setup keeps the id its journal is filed under.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Hashable, Iterator

from ..core.formats import ANY_CASE
from ..lock.lockfile import Lock
from ..core.model import Fleet, Vm
from .settle import FLEET_WIDE, Holder, Kind, Slot, Taken, hold, vm_slots

Entropy = Callable[[int], bytes]
MAX_ATTEMPTS = 64


def derived(name: str, attempt: int = 0) -> str:
    """microvm.nix's default for `name`; later attempts only after a collision."""
    seed = f"microvm.nix:{name}" if attempt == 0 else f"fleetc:{name}:{attempt}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def random_id(entropy: Entropy) -> str:
    """128 random bits marked as a UUID v4, as `systemd-id128 new` makes them."""
    raw = bytearray(entropy(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # variant 1 (RFC 4122)
    return raw.hex()


class MachineIds(Kind):
    def __init__(self, mode: str, entropy: Entropy) -> None:
        self.mode = mode
        self.entropy = entropy

    def parse(self, slot: Slot, value: object) -> Hashable | None:
        if isinstance(value, str) and ANY_CASE.fullmatch(value) and value.strip("0"):
            return value.lower()
        return None

    def describe(self, slot: Slot, key: Hashable) -> str:
        return f"machine-id {key}"

    def fresh(self, slot: Slot, taken: dict) -> str:
        for attempt in range(MAX_ATTEMPTS):
            value = self._candidate(slot.vm.name, attempt)
            if value not in taken and value.strip("0"):
                return value
        # 128 random bits colliding this often means the source is not random.
        raise RuntimeError(f"entropy source repeats itself: {value} again")

    def _candidate(self, name: str, attempt: int) -> str:
        if self.mode == "random":
            return random_id(self.entropy)
        return derived(name, attempt)


def slots(fleet: Fleet, lock: Lock) -> list[Slot]:
    """VMs with `machine_id = false` get none: a locked one is released."""
    return list(vm_slots(fleet, lock, "machine_id", _fleet_wide, wanted=_wants_id))


def _fleet_wide(vm: Vm) -> str:
    return FLEET_WIDE


def _wants_id(vm: Vm) -> bool:
    return vm.machine_id is not False


def taken(fleet: Fleet) -> Taken:
    """Hosts' ids: a VM sharing one would clobber the host's journal link."""
    return hold({}, _host_ids(fleet))


def _host_ids(fleet: Fleet) -> Iterator[tuple[str, str, Holder]]:
    for host in fleet.hosts:
        value = host.machine_id
        if value is not None and ANY_CASE.fullmatch(value):
            holder = Holder(f"host `{host.name}`", host.at("machine_id"))
            yield FLEET_WIDE, value.lower(), holder
