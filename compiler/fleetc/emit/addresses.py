"""lib/addresses.nix: machine ids, addresses and MACs of every host and VM, by name."""

from __future__ import annotations

from ..core.model import Fleet
from .common import by_name, present
from .templating import render


def addresses_file(fleet: Fleet, layout) -> str:
    return render("addresses.nix.j2", layout.source_name, addresses=addresses(fleet))


def addresses(fleet: Fleet) -> dict:
    machines = by_name(fleet.hosts + fleet.vms)
    return {
        "machineId": {m.name: m.machine_id for m in machines if m.machine_id},
        "ipv4": per_network(machines, "ipv4"),
        "ipv6": per_network(machines, "ipv6"),
        "mac": per_network(by_name(fleet.vms), "mac"),
    }


def per_network(machines: list, field: str) -> dict:
    """name -> network -> value, leaving out machines with no such value."""
    table = {}
    for machine in machines:
        values = {
            iface.network: getattr(iface, field)
            for iface in sorted(machine.interfaces, key=lambda i: i.network)
            if present(getattr(iface, field))
        }
        if values:
            table[machine.name] = values
    return table
