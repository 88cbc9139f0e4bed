"""Names of hosts, VMs, networks and inputs (F101, F102)."""

from __future__ import annotations

from typing import Iterable, Iterator

from ..core.formats import HOST_NAME, UNIT_NAME
from ..core.diagnostics import Diagnostic, error
from ..core.model import FlakeInput, Fleet, Network
from .common import FirstSeen, machines, owner_name
from .values import shown

HOST_NAME_HELP = (
    "use 1 to 63 letters, digits, `-` and `_`, starting and ending with a letter"
    " or digit"
)
DOT_HELP = "leave the domain out of the name: set fleet.domain instead"
UNIT_NAME_HELP = "use letters, digits, `-` and `_`, starting with a letter or digit"
# Inputs the generated flake always has: a second declaration would clash.
RESERVED_INPUTS = {
    "nixpkgs": "set its URL with fleet.nixpkgs",
    "microvm": "set its URL with fleet.microvm",
    "self": "`self` is the fleet's own flake: pick another name",
}


def check_machine_names(fleet: Fleet) -> Iterator[Diagnostic]:
    for machine in machines(fleet):
        if not HOST_NAME.fullmatch(machine.name):
            help = DOT_HELP if "." in machine.name else HOST_NAME_HELP
            message = f"{owner_name(machine)} is not a valid NixOS host name"
            yield error("F101", message, machine.at("name"), help=help)


def check_unique_machine_names(fleet: Fleet) -> Iterator[Diagnostic]:
    names = [machine.name for machine in machines(fleet)]
    if len(set(names)) == len(names):
        return  # no name twice: nothing to label
    seen = FirstSeen()
    for machine in machines(fleet):
        label = seen.claim_at(machine.name, owner_name(machine), machine, "name")
        if label:
            message = f"duplicate name `{machine.name}`"
            help = "hosts and VMs share one namespace: nixosConfigurations.<name>"
            span = machine.at("name")
            yield error("F102", message, span, label=label, help=help)


def check_delete_state_names(fleet: Fleet) -> Iterator[Diagnostic]:
    """delete_state names VMs whose state directory a host deletes: each must
    be a name a VM can have, so that it is a directory under state_dir."""
    for index, name in enumerate(fleet.delete_state):
        if not HOST_NAME.fullmatch(name):
            message = f"delete_state names `{shown(name)}`, not a valid VM name"
            span = fleet.at("delete_state", index)
            yield error("F101", message, span, help=HOST_NAME_HELP)


def check_network_names(fleet: Fleet) -> Iterator[Diagnostic]:
    yield from _unit_names("network", fleet.networks)
    yield from _unique_names("network", fleet.networks)


def check_input_names(fleet: Fleet) -> Iterator[Diagnostic]:
    yield from _unit_names("flake input", fleet.inputs)
    for flake_input in fleet.inputs:
        if flake_input.name in RESERVED_INPUTS:
            yield _reserved_input(flake_input)
    yield from _unique_names("flake input", fleet.inputs)


def _reserved_input(flake_input: FlakeInput) -> Diagnostic:
    message = f"flake input `{flake_input.name}` is declared by fleetc itself"
    help = RESERVED_INPUTS[flake_input.name]
    return error("F102", message, flake_input.at("name"), help=help)


def _unit_names(
    kind: str, nodes: Iterable[Network | FlakeInput]
) -> Iterator[Diagnostic]:
    for node in nodes:
        if not UNIT_NAME.fullmatch(node.name):
            message = f"{kind} name `{node.name}` is not allowed"
            yield error("F101", message, node.at("name"), help=UNIT_NAME_HELP)


def _unique_names(
    kind: str, nodes: Iterable[Network | FlakeInput]
) -> Iterator[Diagnostic]:
    seen = FirstSeen()
    for node in nodes:
        span = node.at("name")
        label = seen.claim(node.name, f"{kind} `{node.name}`", span)
        if label:
            yield error("F102", f"duplicate {kind} `{node.name}`", span, label=label)
