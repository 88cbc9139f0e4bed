"""Host interface names other than tap ids (F405..F407): uplinks, VLAN devices,
bridges and macvtap links, checked as checks/taps.py checks tap ids.

These are the names emit/host_network.py writes into the host's networkd units
(`Name=` of netdevs and matches) and emit/guest.py into `macvtap.link`:

- a host's `uplink`, or its `bond` and the bond's ports (the bond is the uplink);
- a VLAN device `<uplink>.<vlan>` for each bridge network with `vlan` on it;
- a bridge, `bridge` or else the network's own name, for each bridge network
  a host joins (its own interface, or a VM's `tap` or `bridge` interface);
- a macvtap interface's `macvtap_link`.

Linux takes at most 15 bytes (IFNAMSIZ 16 with the NUL) and no `/`, `:` or
whitespace; networkd reads a blank in `Name=` as a list. On one host every
name is one device: a bridge named like the uplink or like another network's
bridge, or a VLAN device named like a bridge, would merge two of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..core.formats import IFNAMSIZ, LEGAL
from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Host, Network
from ..core.source import Span
from .common import FirstSeen, vm_interfaces
from .index import index_of

LEGAL_HELP = "use letters, digits, `_`, `-` and `.` (not just `.` or `..`)"


def is_legal(name: str) -> bool:
    """Linux refuses `/`, `:`, whitespace, `.` and `..`; fleetc keeps to the
    characters every tool takes unquoted (networkd splits `Name=` at blanks)."""
    return LEGAL.fullmatch(name) is not None and name not in (".", "..")


VLAN_HELP = (
    "the VLAN device is named `<uplink>.<vlan>`: give the uplink a shorter name"
    " (a systemd.link file) to make room for the VLAN id"
)
# How to make a name of each kind shorter.
SHORTER = {
    "uplink": "the uplink is the host's NIC as `ip link` names it",
    "bond": "name the bond shorter, e.g. `bond0`",
    "port": "a bond's port is the host's NIC as `ip link` names it",
    "vlan": VLAN_HELP,
    "bridge": "shorten `bridge`, e.g. `br-<short name>`",
    "network": "without `bridge`, the bridge takes the network's name: set a shorter `bridge`",
    "macvtap": "macvtap_link is the host's NIC as `ip link` names it",
}
# Kinds made of names whose characters are checked on their own: a network's
# name (F101), the uplink in `<uplink>.<vlan>`.
DERIVED = ("vlan", "network")


@dataclass(frozen=True)
class HostName:
    """One name a host's interfaces take: what it is, and where it was written."""

    host: str
    name: str
    kind: str  # a key of SHORTER
    what: str  # "the bridge of network `lan`": completes "also used by ..."
    span: Span | None


def check_interface_names(fleet: Fleet) -> Iterator[Diagnostic]:
    """Length and characters of each name, reported once where it was written."""
    seen = _WhereSeen()
    names = index_of(fleet).once(host_names)
    for item in [*names, *written_bridges(fleet), *macvtap_links(fleet)]:
        found = list(_name(item))
        if seen.first(item, bool(found)):
            yield from found


class _WhereSeen:
    """Which (name, offset) pairs came before, without reading an offset a clean
    fleet never needs: reading one makes the TOML frontend scan the whole text
    for positions (0.3 s at 10,000 VMs). An item is only compared with earlier
    ones of its name once it has something to report; then their offsets are
    read, so the result is that of comparing every item (property-tested)."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, int | None]] = set()
        self.unread: dict[str, list[Span | None]] = {}

    def first(self, item: HostName, reports: bool) -> bool:
        if not reports:
            self.unread.setdefault(item.name, []).append(item.span)
            return True
        for span in self.unread.pop(item.name, ()):
            self.seen.add((item.name, _offset(span)))
        where = (item.name, _offset(item.span))
        new = where not in self.seen
        self.seen.add(where)
        return new


def _offset(span: Span | None) -> int | None:
    return span.start if span else None


def _name(item: HostName) -> Iterator[Diagnostic]:
    if item.kind not in DERIVED and not is_legal(item.name):
        message = f"illegal interface name `{item.name}` ({item.what})"
        yield error("F406", message, item.span, help=LEGAL_HELP)
    size = len(item.name.encode())
    if size >= IFNAMSIZ:
        message = f"interface name `{item.name}` ({item.what}) is {size} bytes;"
        message += f" Linux allows at most {IFNAMSIZ - 1}"
        yield error("F405", message, item.span, help=SHORTER[item.kind])


def check_unique_host_names(fleet: Fleet) -> Iterator[Diagnostic]:
    """VLAN devices and bridges that take a name already taken on their host;
    VMs' taps are held against all of these by checks/taps.py."""
    seen, reported = FirstSeen(), set()
    for item in index_of(fleet).once(host_names):
        key = (item.host, item.name)
        label = seen.claim(key, item.what, item.span)
        if label and item.span not in reported:
            reported.add(item.span)
            message = (
                f"interface name `{item.name}` is taken twice on host `{item.host}`"
            )
            yield error("F407", message, item.span, label=label, help=_rename(item))


def _rename(item: HostName) -> str:
    if item.kind == "vlan":
        # `<uplink>.<vlan>` can only meet another VLAN device of the same id.
        return "two networks on one host need two VLAN ids: change one `vlan`"
    if item.kind in ("bond", "port"):
        return "a bond and its ports are distinct devices: rename the clashing one"
    return "two devices on one host need two names: set a different `bridge`"


def host_namespace(fleet: Fleet) -> FirstSeen:
    """Every host's own interface names, first come first named, for the taps."""
    seen = FirstSeen()
    for item in index_of(fleet).once(host_names):
        seen.reserve(("host", item.host, item.name), item.what, item.span)
    return seen


def host_names(fleet: Fleet) -> Iterator[HostName]:
    """Per host: its uplink, its VLAN devices, then its bridges."""
    bridged = _bridged_networks(fleet)
    # In the order written, so that a clash is reported at the later network.
    order = {net.name: index for index, net in enumerate(fleet.networks)}
    network = index_of(fleet).networks
    for host in fleet.hosts:
        names = sorted(bridged.get(host.name, ()) & order.keys(), key=order.get)
        bridges = [network[n] for n in names if network[n].mode == "bridge"]
        yield from _uplink(host, bridges)
        yield from (_bridge(host, net) for net in bridges)


def _uplink(host: Host, bridges: list[Network]) -> Iterator[HostName]:
    if host.uplink_name is None:
        return
    if host.bond is not None:
        yield from _bond(host)
    elif host.uplink is not None:
        span = host.at("uplink")
        what = f"the uplink of host `{host.name}`"
        yield HostName(host.name, host.uplink, "uplink", what, span)
    for net in bridges:
        if net.vlan is not None and 1 <= net.vlan <= 4094:
            name = f"{host.uplink_name}.{net.vlan}"
            what = f"the VLAN device of network `{net.name}` on host `{host.name}`"
            yield HostName(host.name, name, "vlan", what, net.at("vlan"))


def _bond(host: Host) -> Iterator[HostName]:
    """The bond (the host's uplink) and its ports, each port once: a port
    listed twice is one mistake, reported by checks/bonds.py (F214)."""
    bond = host.bond
    what = f"the bond of host `{host.name}`"
    yield HostName(host.name, bond.name, "bond", what, bond.at("name"))
    for index, port in enumerate(bond.ports):
        if port not in bond.ports[:index]:
            what = f"a port of bond `{bond.name}` on host `{host.name}`"
            yield HostName(host.name, port, "port", what, bond.at("ports", index))


def _bridge(host: Host, net: Network) -> HostName:
    what = f"the bridge of network `{net.name}`"
    if net.bridge is not None:
        return HostName(host.name, net.bridge, "bridge", what, net.at("bridge"))
    return HostName(host.name, net.name, "network", what, net.at("bridge"))


def _bridged_networks(fleet: Fleet) -> dict[str, set[str]]:
    """host name -> the networks it joins by a bridge (if they are bridge networks)."""
    found: dict[str, set[str]] = {}
    for host in fleet.hosts:
        found.setdefault(host.name, set()).update(i.network for i in host.interfaces)
    for host, networks in index_of(fleet).vm_bridged_networks.items():
        found.setdefault(host, set()).update(networks)
    return found


def written_bridges(fleet: Fleet) -> Iterator[HostName]:
    """Bridge names as written: checked even where no host joins the network yet."""
    for net in fleet.networks:
        if net.bridge is not None and net.mode == "bridge":
            yield _bridge(Host(name="", system=""), net)


def macvtap_links(fleet: Fleet) -> Iterator[HostName]:
    for vm, interface in vm_interfaces(fleet):
        link = interface.macvtap_link
        if interface.type == "macvtap" and link is not None:
            what = f"the macvtap link of vm `{vm.name}`"
            span = interface.at("macvtap_link")
            yield HostName(vm.host, link, "macvtap", what, span)
