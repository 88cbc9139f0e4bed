"""lib/addresses.nix: machine ids, addresses and MACs of every host and VM, by name."""

from __future__ import annotations

from ..core.model import Fleet
from .common import by_name, by_network, present
from .templating import render


def addresses_file(fleet: Fleet, layout) -> str:
    return render("addresses.nix.j2", layout.source_name, addresses=addresses(fleet))


def addresses(fleet: Fleet) -> dict:
    machines = by_name(fleet.hosts + fleet.vms)
    found = {
        "machineId": {m.name: m.machine_id for m in machines if m.machine_id},
        "ipv4": per_network(machines, "ipv4"),
        "ipv6": per_network(machines, "ipv6"),
        "mac": per_network(by_name(fleet.vms), "mac"),
    }
    return found | assigned(fleet)


def assigned(fleet: Fleet) -> dict:
    """Networks whose guests' addresses the network assigns: why a VM on them
    has none here (only written when a fleet has such a network)."""
    modes = {n.name: n.addressing for n in by_name(fleet.networks)}
    modes = {name: mode for name, mode in modes.items() if mode != "static"}
    return {"addressing": modes} if modes else {}


def per_network(machines: list, field: str) -> dict:
    """name -> network -> value, leaving out machines with no such value."""
    table = {}
    for machine in machines:
        values = {
            iface.network: value
            for iface in by_network(machine.interfaces)
            if present(value := getattr(iface, field))
        }
        if values:
            table[machine.name] = values
    return table
