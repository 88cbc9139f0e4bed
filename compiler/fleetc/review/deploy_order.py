"""The order to deploy a fleet in, as commands (the end of `fleetc plan`).

1. Build everything first (`fleetc build`): a host is never switched to a
   system whose VMs did not build.
2. Switch the hosts, with the fleet's tool: deploy-rs's `deploy`, colmena's
   `apply`, else `nixos-rebuild switch --target-host` one host at a time. A
   declarative VM is part of its host's system: microvm.nix's host module
   installs it in that switch, and updates it there too unless it has an
   `updateFlake` (fleetc sets one when [fleet] has `flake`): microvm.nix
   then installs it once and leaves updates to `microvm -u`.
3. Then the VMs the switch does not update: imperative ones (`deploy_mode =
   "imperative"`) and those with an updateFlake, each host's after its own
   switch (its microvm.nix and autostart list are then current): `microvm
   -Ru` on the host, which builds from the VM's updateFlake (push first),
   or update-microvm where [fleet.deploy] fetches them from Hydra.

Every word is a name the checks allowed (hosts, VMs, targets: F101, F930) or
a path, quoted for the shell where it needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core import ssh_target
from ..core.model import Fleet, Host
from ..emit import shell
from ..emit.common import by_name
from ..emit.deploy import COMMAND as UPDATE_MICROVM
from ..emit.deploy import deployed_vms

# Words bash takes as they are (`#` starts a comment only at a word's start).
PLAIN = re.compile(r"[A-Za-z0-9_./:@+=-][A-Za-z0-9_./:@+=#-]*\Z")


@dataclass(frozen=True)
class Step:
    name: str  # build | switch | vms
    title: str
    commands: tuple[str, ...]


def word(text: str) -> str:
    """`text` as one shell word: bare when nothing in it is special."""
    return text if PLAIN.match(text) else shell.quote(text)


def deploy_order(
    fleet: Fleet, fleet_file: str, flake: str, out: str | None = None
) -> list[Step]:
    """`fleet_file` as the user named it; `flake` the directory of the flake
    that carries the fleet, relative to where the commands run; `out` the
    output directory when the command line gave one."""
    steps = [build_step(fleet_file, out), switch_step(fleet, flake)]
    vms = vm_commands(fleet)
    if vms:
        title = "then update the VMs the switch leaves alone, each after its host"
        if fleet.flake is not None:
            title += " (microvm -u builds from the fleet's `flake`: push first)"
        steps.append(Step("vms", title, tuple(vms)))
    return steps


def build_step(fleet_file: str, out: str | None) -> Step:
    command = f"fleetc build {word(fleet_file)}"
    if out is not None:
        command += f" --out {word(out)}"
    return Step("build", "build every host and VM", (command,))


def switch_step(fleet: Fleet, flake: str) -> Step:
    title = "switch the hosts (their declarative VMs with them)"
    if fleet.flake is not None:
        title = "switch the hosts (each installs its declared VMs not yet installed)"
    if fleet.deploy_tool == "deploy-rs":
        commands: tuple[str, ...] = (f"deploy {word(flake)}",)
    elif fleet.deploy_tool == "colmena":
        config = word(flake.rstrip("/") + "/flake.nix")
        commands = (f"colmena apply --config {config}",)
    else:
        commands = tuple(rebuild(host, flake) for host in by_name(fleet.hosts))
    return Step("switch", title, commands)


def rebuild(host: Host, flake: str) -> str:
    target = ssh_target.of_host(host.name, host.target)
    command = f"nixos-rebuild switch --flake {word(f'{flake}#{host.name}')}"
    command += f" --target-host {target.destination}"
    if target.user != "root":
        command += " --use-remote-sudo"
    if target.port is not None:
        command = f"NIX_SSHOPTS='-p {target.port}' {command}"
    return command


def vm_commands(fleet: Fleet) -> list[str]:
    found = []
    for host in by_name(fleet.hosts):
        vms = [vm.name for vm in by_name(fleet.vms_on(host.name))]
        if vms and updated_after_switch(fleet, host):
            found += [on_host(host, c) for c in update_commands(fleet, host, vms)]
    return found


def updated_after_switch(fleet: Fleet, host: Host) -> bool:
    """Imperative VMs, and declared ones with an updateFlake (emit/host.py)."""
    return fleet.deploys_imperatively(host) or fleet.flake is not None


def update_commands(fleet: Fleet, host: Host, vms: list[str]) -> list[str]:
    """update-microvm for the VMs it deploys from Hydra, microvm -Ru for the rest."""
    from_hydra = {vm.name for vm in deployed_vms(fleet, host)}
    rest = [name for name in vms if name not in from_hydra]
    found = [" ".join([UPDATE_MICROVM, *sorted(from_hydra)])] if from_hydra else []
    return found + ([" ".join(["microvm -Ru", *rest])] if rest else [])


def on_host(host: Host, command: str) -> str:
    target = ssh_target.of_host(host.name, host.target)
    port = f"-p {target.port} " if target.port is not None else ""
    sudo = "" if target.user == "root" else "sudo "
    return f"ssh {port}{target.destination} {sudo}{command}"
