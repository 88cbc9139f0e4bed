"""The bench fleet: 10 VMs a host on one bridge network, every VM leaving out
what fleetc can allocate (addresses, MACs, machine ids)."""

from __future__ import annotations

VMS_PER_HOST = 10


def fleet_toml(hosts: int, vms_per_host: int = VMS_PER_HOST) -> str:
    """A /16 bridge network (a /14 past 60,000 VMs)."""
    prefix = 16 if hosts * vms_per_host <= 60_000 else 14
    parts = [
        '[fleet]\nname = "bench"\ndomain = "bench.example"\n',
        f'[networks.lan]\nipv4 = "10.0.0.0/{prefix}"\ngateway4 = "10.0.0.1"\nbridge = "br0"\n',
    ]
    for h in range(hosts):
        parts.append(f'[hosts.h{h}]\nuplink = "eno1"\n')
        for v in range(vms_per_host):
            parts.append(
                f'[vms.vm{h}x{v}]\nhost = "h{h}"\nmem = 1024\n'
                'interfaces = [{ network = "lan" }]\n'
                f'shares = [{{ tag = "data", source = "/srv/vm{h}x{v}", mount = "/srv" }}]\n'
            )
    return "\n".join(parts)
