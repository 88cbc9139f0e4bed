"""`fleetc graph`: hosts, their VMs, networks (VLAN, bridge) and addresses, drawn
from the model alone (no Nix). Mermaid for review on GitHub/GitLab, DOT for
Graphviz. Output is sorted by name, so the same fleet draws the same text.

Hosts are boxes holding their VMs; networks are nodes outside them; an edge
joins each VM or host to each network it is on, labelled with its addresses.
At 50 VMs a left-to-right layout keeps the host boxes side by side and the
few network nodes between them, instead of one long row of VMs.
"""

from __future__ import annotations

import re

from ..emit.common import bridge_name, by_name
from ..core.model import Fleet, Network

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9]")


def network_label(network: Network) -> list[str]:
    lines = [f"network {network.name}"]
    lines += [subnet for subnet in (network.ipv4, network.ipv6) if subnet]
    if network.vlan is not None:
        lines.append(f"VLAN {network.vlan}")
    if network.addressing != "static":
        lines.append(f"addresses: {network.addressing}")
    if network.router is not None:
        lines.append(f"router {network.router}")
    if network.mode == "bridge":
        lines.append(f"bridge {bridge_name(network)}")
    else:
        lines.append(f"{network.mode}")
    return lines


def addresses(node) -> str:
    """An interface's addresses as written or allocated; '' when none."""
    found = [a for a in (node.ipv4, node.ipv6) if isinstance(a, str)]
    return ", ".join(found)


def edges(fleet: Fleet):
    """(kind, owner name, network name, label), hosts' own interfaces first."""
    for host in by_name(fleet.hosts):
        for interface in host.interfaces:
            yield "host", host.name, interface.network, addresses(interface)
    for vm in by_name(fleet.vms):
        for interface in vm.interfaces:
            yield "vm", vm.name, interface.network, addresses(interface)


# -- Mermaid ---------------------------------------------------------------------


def mermaid_id(kind: str, name: str) -> str:
    """Mermaid ids are letters, digits and `_`: every other character is
    written as `_<hex>_`, so distinct names never share an id."""
    body = _UNSAFE_ID.sub(lambda m: f"_{ord(m.group()):x}_", name)
    return f"{kind}_{body}"


def mermaid_text(text: str) -> str:
    """A label inside `"..."`: quotes and angle brackets as entity codes."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


def _mermaid_label(lines: list[str]) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines) + '"'


def mermaid(fleet: Fleet) -> str:
    lines = ["flowchart LR"]
    for host in by_name(fleet.hosts):
        lines.append(
            f"  subgraph {mermaid_id('h', host.name)}"
            f"[{_mermaid_label([f'host {host.name}'])}]"
        )
        lines.append(
            f"    {mermaid_id('host', host.name)}"
            f"[{_mermaid_label([host.name, host.system])}]"
        )
        for vm in by_name(fleet.vms_on(host.name)):
            label = _mermaid_label([vm.name, f"{vm.vcpu} vCPU, {vm.mem} MiB"])
            lines.append(f"    {mermaid_id('vm', vm.name)}({label})")
        lines.append("  end")
    for network in by_name(fleet.networks):
        label = _mermaid_label(network_label(network))
        lines.append(f"  {mermaid_id('net', network.name)}{{{{{label}}}}}")
    for kind, owner, network, label in edges(fleet):
        link = f"---|{_mermaid_label([label])}|" if label else "---"
        lines.append(f"  {mermaid_id(kind, owner)} {link} {mermaid_id('net', network)}")
    return "\n".join(lines) + "\n"


# -- DOT -------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A DOT quoted string: only `"` and `\\` are special (newlines as \\n)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def dot(fleet: Fleet) -> str:
    lines = [
        f"graph {dot_string(fleet.name)} {{",
        "  rankdir=LR;",
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for host in by_name(fleet.hosts):
        lines += _dot_cluster(fleet, host)
    for network in by_name(fleet.networks):
        label = dot_string("\n".join(network_label(network)))
        node = dot_string(f"net:{network.name}")
        lines.append(f"  {node} [shape=hexagon, label={label}];")
    for kind, owner, network, label in edges(fleet):
        ends = f"{dot_string(f'{kind}:{owner}')} -- {dot_string(f'net:{network}')}"
        lines.append(f"  {ends} [label={dot_string(label)}];")
    return "\n".join(lines + ["}"]) + "\n"


def _dot_cluster(fleet: Fleet, host) -> list[str]:
    name = dot_string(f"cluster_{host.name}")
    host_label = dot_string(f"{host.name}\n{host.system}")
    lines = [
        f"  subgraph {name} {{",
        f"    label={dot_string(f'host {host.name}')};",
        f"    {dot_string(f'host:{host.name}')} [shape=box3d, label={host_label}];",
    ]
    for vm in by_name(fleet.vms_on(host.name)):
        label = dot_string(f"{vm.name}\n{vm.vcpu} vCPU, {vm.mem} MiB")
        lines.append(
            f"    {dot_string(f'vm:{vm.name}')} [style=rounded, label={label}];"
        )
    return lines + ["  }"]
