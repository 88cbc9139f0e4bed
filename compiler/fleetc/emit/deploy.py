"""deploy/<host>.nix and deploy/<host>.sh: the FAQ's update-microvm command.

The microvm.nix FAQ ("How can I deploy imperatively from Continuous
Integration?") installs a script on each host that fetches its VMs' latest
runners from Hydra. fleetc writes one per host that runs deployed VMs, naming
exactly those VMs, and checking each VM's `flake` file against the flake
this fleet's host modules install from (emit/host.py's updateFlake).

The script is a file of its own, read by `builtins.readFile`: it is reviewed
and shellchecked as it is, and no Nix string escaping stands between the
shell-quoted values and the shell.
"""

from __future__ import annotations

from . import nix, shell
from ..core.model import Deploy, Fleet, Host, Vm
from .common import by_name
from .flake_ref import flake_subdir, update_flake
from .templating import render

COMMAND = "update-microvm"
# writeShellApplication puts these on the script's PATH, nothing else. Nix
# and systemd are the system's own, so the script's `nix` and `systemctl`
# match the running daemons.
RUNTIME_INPUTS = (
    "pkgs.coreutils",
    "pkgs.curl",
    "pkgs.jq",
    "config.nix.package",
    "config.systemd.package",
)


def deployed_vms(fleet: Fleet, host: Host) -> list[Vm]:
    """The VMs of `host` that update-microvm deploys, by name."""
    deploy = fleet.deploy
    if deploy is None:
        return []
    return [vm for vm in by_name(fleet.vms_on(host.name)) if deploy.deploys(vm.name)]


def module_path(host: Host) -> str:
    return f"deploy/{host.name}.nix"


def deploy_files(fleet: Fleet, host: Host, layout) -> dict[str, str]:
    """The module and script of one host; none when it runs no deployed VM."""
    vms = deployed_vms(fleet, host)
    if not vms:
        return {}
    script = f"{host.name}.sh"
    return {
        module_path(host): deploy_module(script, layout),
        f"deploy/{script}": script_text(fleet, host, vms, layout),
    }


def deploy_module(script: str, layout) -> str:
    return render(
        "deploy.nix.j2",
        layout.source_name,
        command=COMMAND,
        runtime_inputs=[nix.Expr(name) for name in RUNTIME_INPUTS],
        script=nix.path(script),
    )


def script_text(fleet: Fleet, host: Host, vms: list[Vm], layout) -> str:
    deploy: Deploy = fleet.deploy
    values = {
        "host": host.name,
        "state_dir": fleet.state_dir,
        "flake": update_flake(fleet.flake, flake_subdir(fleet, layout)),
        "hydra": deploy.hydra.rstrip("/"),
        "jobset": deploy.jobset,
        "cache": deploy.cache,
    }
    quoted = {name: shell.quote(value) for name, value in values.items()}
    # The header line is a shell comment here; its file name is escaped as in
    # Nix files, so a newline in the name cannot end the comment.
    names = shell.words(vm.name for vm in vms)
    return render("update-microvm.sh.j2", layout.source_name, vms=names, **quoted)
