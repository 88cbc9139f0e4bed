"""hosts/<host>.nix: the host module, declaring only the VMs placed on this host."""

from __future__ import annotations

from urllib.parse import quote

from ..core import journals, microvm_options
from . import nix
from . import guards
from ..core.model import JOURNAL_SHARE, Fleet, Host, Vm
from .common import JOURNAL_MOUNT, by_name, journal_dir
from .microvm_host import runs_microvm_host
from .guest import identity
from .host_network import host_network
from .retired import retired_units
from .storage import host_storage
from .templating import render
from .tmpfiles import tmpfiles_line


def host_file(fleet: Fleet, host: Host, layout) -> str:
    vms = by_name(fleet.vms_on(host.name))
    found = identity(fleet, host.name)
    imperative = fleet.deploys_imperatively(host)
    # Without microvm.nix's host module (a host without VMs) no microvm.* exists.
    if runs_microvm_host(fleet, host):
        found |= microvm_host(fleet, vms, layout, imperative)
    rules = journal_rules(fleet, vms)
    if rules:
        found[("systemd", "tmpfiles", "rules")] = nix.Commented(rules, JOURNAL_WHY)
    if fleet.flake is not None and not imperative:
        found |= install_conditions(fleet, vms)
    if fleet.network_stack == "networkd":
        found |= host_network(fleet, host, vms)
    found |= host_storage(fleet, vms)
    found |= retired_units(fleet, host)
    return render("host.nix.j2", layout.source_name, **guarded(found))


def guarded(settings: dict) -> dict:
    """Settings older microvm.nix generations lack, guarded (emit/guards.py);
    the module becomes `let ... in lib.mkMerge [ ... ]` only when it has any."""
    found, newer = guards.split(settings, guards.host_tree(), 1)
    if newer:
        found, newer = guards.split(settings, guards.host_tree(), 2)
    uses = bool(newer) or "ifDeclared" in nix.render(found)
    parts = guards.merge_elements(newer, 1)
    return {"settings": found, "guards": guards.LET if uses else "", "newer": parts}


def microvm_host(fleet: Fleet, vms: list[Vm], layout, imperative: bool) -> dict:
    found: dict = {}
    if fleet.state_dir != microvm_options.host_option("stateDir")["default"]:
        found[("microvm", "stateDir")] = fleet.state_dir
    if imperative:
        return found | autostart(vms)
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
    found["autostart"] = nix.Commented(vm.autostart, AUTOSTART_WHY)
    return found


# Comments in the generated host modules: why these lines are there.
AUTOSTART_WHY = (
    "microvm.nix derives microvm.autostart from this flag (a list would add to it)"
)
IMPERATIVE_AUTOSTART_WHY = (
    "no VM is declared here (microvm -Ru deploys them): the list says which start"
)
JOURNAL_WHY = (
    "journalctl -m here reads each VM's journal: shared by the guest, linked\n"
    "into /var/log/journal under its machine-id (microvm.nix FAQ)"
)
INSTALL_WHY = (
    "microvm.nix installs the VM only while its directory is missing, which\n"
    "tmpfiles creates first: install until its `current` link exists"
)


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


def autostart(vms: list[Vm]) -> dict:
    """Imperative deploys (`microvm -Ru`): the host declares no VM, so
    microvm.nix derives no autostart list; fleetc writes it. microvm.nix's host
    module turns it into `microvms.target` wanting `microvm@<vm>.service`, a
    unit it defines for every VM, declared or installed by `microvm -c`."""
    starting = [vm.name for vm in vms if vm.autostart]
    return {("microvm", "autostart"): nix.Commented(starting, IMPERATIVE_AUTOSTART_WHY)}


def journal_rules(fleet: Fleet, vms: list[Vm]) -> list[str]:
    """The FAQ's journal links, for this host's VMs only, and their directories."""
    rules = []
    for vm in vms:
        mode = fleet.journal_of(vm)
        if mode == JOURNAL_SHARE:
            rules += share_journal_rules(fleet, vm)
        elif journals.is_path(mode):
            rules.append(journal_link(vm, in_share_journal(fleet, vm, mode)))
    return rules


def share_journal_rules(fleet: Fleet, vm: Vm) -> list[str]:
    directory = journal_dir(fleet.state_dir, vm)
    made = tmpfiles_line("d", directory, "0755", "microvm", "kvm", "-", "-")
    return [made, journal_link(vm, directory)]


def in_share_journal(fleet: Fleet, vm: Vm, path: str) -> str:
    """The journal inside one of the VM's own shares, as the host sees it. No
    `d` rule: it would hand the guest's own directory to microvm:kvm."""
    share = journals.containing_share(vm, path)
    return journals.host_path(fleet.state_dir, vm, share, path)


def journal_link(vm: Vm, directory: str) -> str:
    link = f"{JOURNAL_MOUNT}/{vm.machine_id}"
    target = f"{directory}/{vm.machine_id}"
    return tmpfiles_line("L+", link, "-", "-", "-", "-", target)


def install_conditions(fleet: Fleet, vms: list[Vm]) -> dict:
    """With updateFlake, microvm.nix installs a VM only while <state_dir>/<vm> does
    not exist. systemd-tmpfiles creates that directory first (our journal `d` rule,
    and microvm.nix's own rules for share sources), so the VM would never be
    installed. "Not installed yet" really means "no `current` link": test that.
    """
    return {
        ("systemd", "services", f"install-microvm-{vm.name}", "unitConfig"): {
            "ConditionPathExists": nix.Commented(
                nix.Expr(
                    "lib.mkForce " + nix.string(f"!{fleet.state_dir}/{vm.name}/current")
                ),
                INSTALL_WHY,
            )
        }
        for vm in vms
    }
