"""A bonded uplink as systemd-networkd units (systemd.netdev(5) [Bond],
systemd.network(5) Bond=): the bond netdev, and one .network per port
enslaving it. VLANs and the untagged bridge then sit on the bond, as on any
uplink (emit/host_network.py).

Ports sort before everything else ("05-"): networkd applies the first
.network file (by name) that matches a link.
"""

from __future__ import annotations

from ..core.model import Bond, Host

# Link monitoring: without it a bond never notices a port going down.
MII_MONITOR = "100ms"


def bond_units(host: Host, netdevs: dict, networks: dict) -> None:
    bond = host.bond
    if bond is None:
        return
    netdevs[f"10-{bond.name}"] = bond_netdev(bond)
    for port in dict.fromkeys(bond.ports):
        networks[f"05-{port}"] = {
            ("matchConfig", "Name"): port,
            ("networkConfig", "Bond"): bond.name,
        }


def bond_netdev(bond: Bond) -> dict:
    settings: dict = {"Mode": bond.mode, "MIIMonitorSec": MII_MONITOR}
    if bond.mode == "802.3ad":
        # LACP: answer the switch every second, hash flows over both ports.
        settings |= {"LACPTransmitRate": "fast", "TransmitHashPolicy": "layer3+4"}
    return {"netdevConfig": {"Name": bond.name, "Kind": "bond"}, "bondConfig": settings}
