"""Addresses of hosts' and VMs' interfaces (F201..F206, F210, F212)."""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, HostInterface, Interface, Network, Vm
from ..core import inet
from .common import FirstSeen, Owner, interfaces, located, owner_name
from .index import index_of

DUPLICATE = {4: "F203", 6: "F204"}


def check_interface_addresses(fleet: Fleet) -> Iterator[Diagnostic]:
    parsed = inet.subnets(fleet)
    seen, network = FirstSeen(), index_of(fleet).networks
    for owner, interface in interfaces(fleet):
        if not isinstance(interface.ipv4, str) and not isinstance(interface.ipv6, str):
            continue  # no address written: nothing to judge
        net = network.get(interface.network)
        if net is None:
            continue  # reported by the references check
        for field, _, version in inet.FAMILIES:
            text = getattr(interface, field)
            if isinstance(text, str):
                place = Place(owner, interface, field, net, parsed[net.name])
                yield from place.check(text, version, seen)


class Place:
    """One address field of one interface, with everything needed to judge it."""

    def __init__(
        self,
        owner: Owner,
        interface: HostInterface | Interface,
        field: str,
        net: Network,
        subnets: inet.Subnets,
    ) -> None:
        self.owner, self.interface, self.field = owner, interface, field
        self.net, self.subnets = net, subnets
        self.span = interface.at(field)

    def check(self, text: str, version: int, seen: FirstSeen) -> Iterator[Diagnostic]:
        try:
            value = inet.address(text, version)
        except inet.Invalid as bad:
            yield error("F201", bad.message, self.span, help=bad.help)
            return
        if getattr(self.net, self.field) is None:
            yield self._family_missing(version)
        elif problem := self._placement(value):
            yield problem
        elif label := seen.claim((self.net.name, value), self.who, self.span):
            yield self._duplicate(value, label)

    @property
    def who(self) -> str:
        return owner_name(self.owner)

    def _family_missing(self, version: int) -> Diagnostic:
        family = inet.LABEL[version]
        message = f"network `{self.net.name}` has no {family} prefix"
        help = f"remove {self.field}, or give [networks.{self.net.name}] an {family} prefix"
        return error("F210", message, self.span, help=help)

    def _placement(self, value: inet.IPAddress) -> Diagnostic | None:
        prefix = self.subnets.prefixes.get(value.version)
        if prefix is None:
            return None  # the network's own prefix is malformed: reported there
        if value not in prefix:
            message = f"{value} is outside network `{self.net.name}` ({prefix})"
            return error("F202", message, self.span, help=self._allocate_help(prefix))
        return self._unusable(value, prefix) or self._reserved(value)

    def _unusable(
        self, value: inet.IPAddress, prefix: inet.IPNetwork
    ) -> Diagnostic | None:
        reason = inet.reserved_by_subnet(value, prefix)
        # The host commonly is the gateway; a VM never is.
        if reason is None and isinstance(self.owner, Vm):
            if self.subnets.gateways.get(value.version) == value:
                reason = f"the gateway of network `{self.net.name}`"
        if reason is None:
            return None
        help = self._allocate_help(prefix)
        return error("F205", f"{value} is {reason}", self.span, help=help)

    def _reserved(self, value: inet.IPAddress) -> Diagnostic | None:
        index = self.subnets.reserved[value.version].find(int(value))
        if index is None:
            return None
        entry = self.net.reserved[index]
        message = f"{value} is in reserved range {entry} of network `{self.net.name}`"
        where = self.net.at("reserved", index)
        label = located(f"reserved by network `{self.net.name}`", where)
        return error("F206", message, self.span, label=label)

    def _duplicate(self, value: inet.IPAddress, label: str) -> Diagnostic:
        message = f"duplicate {inet.LABEL[value.version]} address {value}"
        help = self._allocate_help(self.subnets.prefixes.get(value.version))
        return error(
            DUPLICATE[value.version], message, self.span, label=label, help=help
        )

    def _allocate_help(self, prefix: inet.IPNetwork | None) -> str | None:
        if prefix is not None and isinstance(self.owner, Vm):
            return f"leave {self.field} out to have one allocated from {prefix}"
        return None


def check_one_interface_per_network(fleet: Fleet) -> Iterator[Diagnostic]:
    keys = [(type(o), o.name, i.network) for o, i in interfaces(fleet)]
    if len(set(keys)) == len(keys):
        return  # no owner on one network twice: nothing to label
    seen = FirstSeen()
    for owner, interface in interfaces(fleet):
        key = (type(owner), owner.name, interface.network)
        what = f"another interface of {owner_name(owner)}"
        if label := seen.claim_at(key, what, interface, "network"):
            message = (
                f"{owner_name(owner)} has a second interface on `{interface.network}`"
            )
            help = "give each network one interface, with both ipv4 and ipv6 on it"
            span = interface.at("network")
            yield error("F212", message, span, label=label, help=help)
