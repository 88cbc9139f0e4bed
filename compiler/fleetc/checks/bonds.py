"""Bonded uplinks and hosts without MicroVMs (F213..F215, F633).

A host's `bond` is its uplink: VLAN devices and the first untagged bridge sit
on the bond (emit/host_network.py). Names and lengths of the bond and its
ports are checked with every other interface name in checks/ifnames.py.
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet
from .common import FirstSeen


def check_bond_uplink(fleet: Fleet) -> Iterator[Diagnostic]:
    """`uplink` next to `bond` may only name the bond itself."""
    for host in fleet.hosts:
        bond = host.bond
        if bond is not None and host.uplink not in (None, bond.name):
            message = (
                f"host `{host.name}` has uplink `{host.uplink}` and bond"
                f" `{bond.name}`: the bond is the uplink"
            )
            help = "leave `uplink` out (or set it to the bond's name)"
            yield error("F213", message, host.at("uplink"), help=help)


def check_bond_ports(fleet: Fleet) -> Iterator[Diagnostic]:
    for host in fleet.hosts:
        bond = host.bond
        if bond is None:
            continue
        if not bond.ports:
            message = f"bond `{bond.name}` of host `{host.name}` has no ports"
            help = 'list the NICs it bonds: `ports = ["eno1", "eno2"]`'
            yield error("F215", message, bond.at("ports"), help=help)
        yield from _repeated_ports(host.name, bond)


def _repeated_ports(host: str, bond) -> Iterator[Diagnostic]:
    seen = FirstSeen()
    for index, port in enumerate(bond.ports):
        span = bond.at("ports", index)
        label = seen.claim(port, f"port `{port}`", span)
        if label:
            message = f"port `{port}` is listed twice in bond `{bond.name}` of `{host}`"
            help = "a NIC can be enslaved to one bond once: remove the repeat"
            yield error("F214", message, span, label=label, help=help)


def check_microvm_hosts(fleet: Fleet) -> Iterator[Diagnostic]:
    """`microvm_host = false` leaves microvm.nix's host module out: no VM can run."""
    for host in fleet.hosts:
        vms = fleet.vms_on(host.name)
        if host.microvm_host is False and vms:
            message = (
                f"host `{host.name}` has `microvm_host = false` but runs"
                f" vm `{vms[0].name}`"
                + (f" and {len(vms) - 1} more" if vms[1:] else "")
            )
            help = "remove `microvm_host = false`, or move the VMs to another host"
            yield error("F633", message, host.at("microvm_host"), help=help)
