"""A VM's own deploy mode and how its host declares it (F634..F636).

`declare = "config"` has the host build the VM from its modules
(microvm.vms.<vm>.config), with the host's nixpkgs: it needs a VM the host
declares, of the host's own system, whose runner is the host's already.
"""

from __future__ import annotations

from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Vm
from .index import index_of


def built_by_host(fleet: Fleet) -> Iterator[Vm]:
    return (vm for vm in fleet.vms if vm.declare == "config")


def check_declared_config(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in index_of(fleet).once(built_by_host):
        if fleet.deployed_imperatively(vm):
            yield _imperative(vm)


def _imperative(vm: Vm) -> Diagnostic:
    message = (
        f'vm `{vm.name}` has declare = "config", but is deployed imperatively'
        " (`microvm -Ru`): its host declares nothing to build"
    )
    help = 'set deploy_mode = "declarative" on the VM, or leave declare out'
    return error("F634", message, vm.at("declare"), help=help)


def check_config_system(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in index_of(fleet).once(built_by_host):
        host = fleet.host(vm.host)
        if host is not None and host.system != vm.system:
            message = (
                f'vm `{vm.name}` ({vm.system}) has declare = "config": its host'
                f" `{host.name}` builds it with its own nixpkgs, for {host.system}"
            )
            help = f'give the VM system = "{host.system}", or declare it as a flake'
            yield error("F635", message, vm.at("declare"), help=help)


def check_config_runner(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in index_of(fleet).once(built_by_host):
        if vm.runner_from_host:
            message = (
                f'vm `{vm.name}` has declare = "config" and runner_from_host: its'
                " host builds the whole VM with its own nixpkgs already"
            )
            help = "leave runner_from_host out"
            yield error("F636", message, vm.at("runner_from_host"), help=help)
