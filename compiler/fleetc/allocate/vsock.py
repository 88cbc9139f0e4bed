"""vsock CIDs: the lowest free one from 3 up, per host (0..2 are reserved).

Only for VMs that ask for vsock (`vsock = true` or a CID written): a VM that
does not ask gets no CID, and one its lock still holds is released (the lock
change says so), so that no vhost-vsock device appears unasked.
"""

from __future__ import annotations

from typing import Hashable

from ..lock.lockfile import Lock
from ..lock.values import CID_ANY
from ..core.model import Fleet, Vm
from .settle import Kind, Slot, Taken, vm_slots

FIRST_CID = 3


class VsockCids(Kind):
    def __init__(self) -> None:
        # host -> the lowest CID not yet looked at: nothing below it is free
        self.cursors: dict[str, int] = {}

    def parse(self, slot: Slot, value: object) -> Hashable | None:
        if type(value) is int and FIRST_CID <= value < CID_ANY:
            return value
        return None

    def describe(self, slot: Slot, key: Hashable) -> str:
        return f"vsock CID {key} on host `{slot.vm.host}`"

    def fresh(self, slot: Slot, taken: dict) -> int:
        cid = self.cursors.get(slot.vm.host, FIRST_CID)
        while cid in taken:
            cid += 1
        self.cursors[slot.vm.host] = cid + 1
        return cid  # a host would need 2**32 VMs to reach CID_ANY


def slots(fleet: Fleet, lock: Lock) -> list[Slot]:
    return list(vm_slots(fleet, lock, "vsock_cid", _host, True, _wants_vsock))


def _host(vm: Vm) -> str:
    return vm.host


def _wants_vsock(vm: Vm) -> bool:
    return vm.wants_vsock


def taken(fleet: Fleet) -> Taken:
    return {}
