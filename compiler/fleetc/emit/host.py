"""hosts/<host>.nix: the host module, declaring only the VMs placed on this host."""

from __future__ import annotations

from urllib.parse import quote

from .. import microvm_options, nix
from ..model import Fleet, Host, Vm
from .common import JOURNAL_MOUNT, by_name, journal_dir
from .microvm_host import runs_microvm_host
from .guest import identity
from .host_network import host_network
from .storage import host_storage
from .templating import render
from .tmpfiles import tmpfiles_line


def host_file(fleet: Fleet, host: Host, layout) -> str:
    vms = by_name(fleet.vms_on(host.name))
    found = identity(fleet, host.name)
    # Without microvm.nix's host module (a host without VMs) no microvm.* exists.
    if runs_microvm_host(fleet, host):
        found |= microvm_host(fleet, vms, layout)
    if fleet.journal and vms:
        found[("systemd", "tmpfiles", "rules")] = journal_rules(fleet, vms)
    if fleet.flake is not None:
        found |= install_conditions(fleet, vms)
    if fleet.network_stack == "networkd":
        found |= host_network(fleet, host, vms)
    found |= host_storage(fleet, vms)
    return render("host.nix.j2", layout.source_name, settings=found)


def microvm_host(fleet: Fleet, vms: list[Vm], layout) -> dict:
    found: dict = {}
    if fleet.state_dir != microvm_options.host_option("stateDir")["default"]:
        found[("microvm", "stateDir")] = fleet.state_dir
    found[("microvm", "vms")] = {
        vm.name: declaration(vm, fleet.flake, layout.output_in_repo) for vm in vms
    }
    return found


def declaration(vm: Vm, flake: str | None, output_in_repo: str | None) -> dict:
    # microvm.nix derives microvm.autostart from these flags (default true), so
    # fleetc sets the flag instead of the list: a list would be appended to the
    # derived one, and a VM with autostart = false would still start.
    found: dict = {"flake": nix.Expr("self")}
    if flake is not None:
        found["updateFlake"] = update_flake(flake, output_in_repo)
    found["autostart"] = vm.autostart
    return found


def update_flake(flake: str, output_in_repo: str | None) -> str:
    """`microvm -u` fetches this flake ref: it must point into the output directory."""
    url, hash_sign, fragment = flake.partition("#")
    query = url.partition("?")[2]
    names = {pair.partition("=")[0] for pair in query.split("&")}
    if output_in_repo is None or "dir" in names:
        return flake
    if url.endswith(("?", "&")):
        joiner = ""
    else:
        joiner = "&" if "?" in url else "?"
    parameter = "dir=" + quote(output_in_repo, safe="/")
    return f"{url}{joiner}{parameter}{hash_sign}{fragment}"


def journal_rules(fleet: Fleet, vms: list[Vm]) -> list[str]:
    """The FAQ's journal links, for this host's VMs only, and their directories."""
    rules = []
    for vm in vms:
        directory = journal_dir(fleet.state_dir, vm)
        rules.append(tmpfiles_line("d", directory, "0755", "microvm", "kvm", "-", "-"))
        link = f"{JOURNAL_MOUNT}/{vm.machine_id}"
        target = f"{directory}/{vm.machine_id}"
        rules.append(tmpfiles_line("L+", link, "-", "-", "-", "-", target))
    return rules


def install_conditions(fleet: Fleet, vms: list[Vm]) -> dict:
    """With updateFlake, microvm.nix installs a VM only while <state_dir>/<vm> does
    not exist. systemd-tmpfiles creates that directory first (our journal `d` rule,
    and microvm.nix's own rules for share sources), so the VM would never be
    installed. "Not installed yet" really means "no `current` link": test that.
    """
    return {
        ("systemd", "services", f"install-microvm-{vm.name}", "unitConfig"): {
            "ConditionPathExists": nix.Expr(
                "lib.mkForce " + nix.string(f"!{fleet.state_dir}/{vm.name}/current")
            )
        }
        for vm in vms
    }
