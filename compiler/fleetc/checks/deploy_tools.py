"""Hosts as deploy tools reach them: `target` (F930), and host names each
tool can carry as a node (F931, F932).

A target is handed to ssh as argv words by deploy-rs, colmena and
nixos-rebuild, and printed by `fleetc plan` in commands to paste into a
shell; ssh_target.py says what it may hold.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet

TARGET_HELP = (
    'an ssh destination, `[user@]host[:port]`: target = "root@hv1.example.org:22"'
    " (an IPv6 address in brackets: `root@[2001:db8::1]`)"
)
# colmena's eval.nix: `reservedNames = [ "defaults" "network" "meta" ]`.
COLMENA_RESERVED = ("defaults", "network", "meta")
# deploy-rs's interface.json: node names match `[A-z][A-z0-9_-]*` (a JSON
# Schema pattern, unanchored: the name must hold one such character).
DEPLOY_RS_NODE = re.compile(r"[A-z]")


def check_targets(fleet: Fleet) -> Iterator[Diagnostic]:
    for host in fleet.hosts:
        if host.target is not None:
            yield from _bad_target(host)


def _bad_target(host) -> Iterator[Diagnostic]:
    from ..core import ssh_target  # loaded only by a fleet that names targets

    try:
        ssh_target.parse(host.target)
    except ssh_target.BadTarget as why:
        message = f"host `{host.name}`: `target` is not an ssh destination: {why}"
        yield error("F930", message, host.at("target"), help=TARGET_HELP)


def check_colmena_names(fleet: Fleet) -> Iterator[Diagnostic]:
    if fleet.deploy_tool != "colmena":
        return
    for host in fleet.hosts:
        if host.name in COLMENA_RESERVED:
            message = f"colmena reserves the name `{host.name}`: it cannot be a node"
            help = "rename the host, or deploy it without colmena"
            yield error("F931", message, host.at("name"), help=help)


def check_deploy_rs_names(fleet: Fleet) -> Iterator[Diagnostic]:
    if fleet.deploy_tool != "deploy-rs":
        return
    for host in fleet.hosts:
        if not DEPLOY_RS_NODE.search(host.name):
            message = (
                f"deploy-rs's schema refuses the node name `{host.name}`:"
                " it holds no letter"
            )
            help = "give the host a name with a letter (deploy.nodes.<name>)"
            yield error("F932", message, host.at("name"), help=help)
