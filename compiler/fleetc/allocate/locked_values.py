"""The locked values of an unchanged fleet judged a field at a time
(as_locked.py gathers them): each as fleetc writes it and usable where it is,
none held twice in its scope, none held by a host, a gateway or a value the
fleet writes.

Each judgement is what settle.py asks of one locked value (`parse`, then
`unusable`, then `show` giving back the locked value, of its type), asked of
all of them at once: one regular expression over the values joined, a set of
(scope, value) pairs. A judgement may refuse more than settle would (a tap id
that is any host's uplink or any bridge, a subclass of str): the plain steps
then run and decide. tests/core/test_lock_fast_paths.py holds each judgement
to the kind's own, value by value.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Hashable, Iterable, Iterator

from ..core.formats import LEGAL, all_match, joined_pattern
from ..core.model import Fleet
from ..lock.values import CANONICAL_IPV4, CID_ANY
from . import machine_ids
from .addresses import FIELD, Addresses, ipv4_int
from .settle import FLEET_WIDE

Pairs = set[tuple[Hashable, Any]]


class Gathered:
    """Per field, the locked values of the slots the fleet leaves out (their
    scopes and values in step, appended by as_locked.py), and the values it
    writes as (scope, shown)."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.scopes: dict[str, list] = {field: [] for field in fields}
        self.values: dict[str, list] = {field: [] for field in self.scopes}
        self.written: dict[str, Pairs] = {field: set() for field in self.scopes}


def as_written(gathered: Gathered, fleet: Fleet, addresses: Addresses) -> bool:
    """Whether settle would give every gathered slot its locked value."""
    held = _held(fleet, addresses)
    for field, values in gathered.values.items():
        scopes = gathered.scopes[field]
        if values and not JUDGES[field](scopes, values, addresses):
            return False
        claimed = set(zip(scopes, values, strict=True))
        if len(claimed) != len(values) or not claimed.isdisjoint(held[field]):
            return False
        if not claimed.isdisjoint(gathered.written[field]):
            return False
    return _tap_names(fleet).isdisjoint(gathered.values["id"])


def _held(fleet: Fleet, addresses: Addresses) -> dict[str, Pairs]:
    """Values held outside the VMs (as settle's `taken`), as (scope, shown);
    tap ids apart (_tap_names)."""
    held: dict[str, Pairs] = {name: set() for name in JUDGES}
    for key in machine_ids.taken(fleet).get(FLEET_WIDE, {}):
        held["machine_id"].add((FLEET_WIDE, key))
    for scope, keys in addresses.taken(fleet).items():
        held[FIELD[scope[1]]].update((scope, addresses.show(scope, k)) for k in keys)
    return held


def _tap_names(fleet: Fleet) -> set:
    """Every name taps.taken holds on some host (uplinks, bridges), and maybe
    more: a tap locked with one of them is left to the plain steps."""
    uplinks = {host.uplink for host in fleet.hosts if host.uplink}
    return uplinks | {net.bridge for net in fleet.networks if net.bridge}


# As fleetc writes each (what `show` gives back): machine-ids and MACs in
# lowercase, machine-ids not all 0; tap ids as parsed; IPv4 canonical.
_MACHINE_IDS = joined_pattern(r"(?!0{32})[0-9a-f]{32}")
_MACS = joined_pattern(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")
_TAP_IDS = joined_pattern(LEGAL.pattern)
_IPV4 = joined_pattern(CANONICAL_IPV4.pattern)


def _strings(pattern: re.Pattern) -> Callable[..., bool]:
    def judge(scopes: list, values: list, addresses: Addresses) -> bool:
        return all_match(pattern, values)

    return judge


def _vsock_cids(scopes: list, values: list, addresses: Addresses) -> bool:
    if set(map(type, values)) != {int}:
        return False
    return min(values) >= 3 and max(values) < CID_ANY


def _ipv4(scopes: list, values: list, addresses: Addresses) -> bool:
    if not all_match(_IPV4, values):
        return False
    return all(
        addresses.pools[scope].all_usable(sorted(_ipv4_ints(texts)))
        for scope, texts in _grouped(scopes, values).items()
    )


def _ipv4_ints(texts: list[str]) -> Iterator[int]:
    """Each canonical address's integer. socket.inet_aton did it in a third
    of the time (1.1 against 4.4 ms at 10,000 VMs), but loading socket cost
    every check 2.6 ms (docs/speed.md, "Start-up, third pass")."""
    return map(ipv4_int, texts)


def _ipv6(scopes: list, values: list, addresses: Addresses) -> bool:
    """Value by value, as settle asks (fleets with IPv6 are few, and small)."""
    for scope, value in zip(scopes, values, strict=True):
        key = addresses.parse(scope, value)
        if key is None or addresses.unusable(scope, key) is not None:
            return False
        shown = addresses.show(scope, key)
        if type(shown) is not type(value) or shown != value:
            return False
    return True


def _grouped(scopes: list, values: list) -> dict[Hashable, list]:
    if len(set(scopes)) == 1:  # one network, as most fleets
        return {scopes[0]: values}
    found: dict[Hashable, list] = {}
    for scope, value in zip(scopes, values, strict=True):
        found.setdefault(scope, []).append(value)
    return found


JUDGES: dict[str, Callable[[list, list, Addresses], bool]] = {
    "machine_id": _strings(_MACHINE_IDS),
    "vsock_cid": _vsock_cids,
    "mac": _strings(_MACS),
    "id": _strings(_TAP_IDS),
    "ipv4": _ipv4,
    "ipv6": _ipv6,
}
