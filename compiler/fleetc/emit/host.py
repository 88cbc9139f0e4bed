"""hosts/<host>.nix: the host module, declaring only the VMs placed on this host."""

from __future__ import annotations


from ..core import journals, microvm_options
from . import nix
from . import guards
from ..core.model import JOURNAL_SHARE, Fleet, Host, Vm
from .common import JOURNAL_MOUNT, by_name, from_subdir, journal_dir, modules
from .declared import CONFIG_WHY, builds_any, config_declaration
from .deploy import deployed_vms
from .flake_ref import flake_subdir, update_flake
from .deploy import module_path as deploy_module
from .modules import module_file
from .overlays import PATH as OVERLAYS
from .microvm_host import runs_microvm_host
from .guest import identity
from .host_network import host_network
from .retired import retired_units
from .storage import host_storage
from .tmpfiles import tmpfiles_line


def host_file(fleet: Fleet, host: Host, layout, newer: set[str] | None = None) -> str:
    """The host's module; what it writes that older microvm.nix generations
    lack goes into `newer` (for lib/compat.nix), and the module through compat."""
    vms = by_name(fleet.vms_on(host.name))
    imports = host_imports(fleet, host, layout)
    found = {"imports": imports} if imports else {}
    found |= identity(fleet, host.name)
    # Without microvm.nix's host module (a host without VMs) no microvm.* exists.
    if runs_microvm_host(fleet, host):
        found |= microvm_host(fleet, host, vms, layout)
    rules = journal_rules(fleet, vms)
    if rules:
        found[("systemd", "tmpfiles", "rules")] = nix.Commented(rules, JOURNAL_WHY)
    if fleet.network_stack == "networkd":
        found |= host_network(fleet, host, vms)
    found |= host_storage(fleet, vms)
    found |= services(fleet, host, vms)
    # Judged afresh: a host's settings name its own VMs (microvm.vms.<vm>),
    # so no shape repeats from host to host, and keeping each would cost more.
    listed = guards.plain_newer_options(found, guards.host_tree())
    if newer is not None:
        newer |= listed
    return module_file(found, layout, bool(listed), "../lib/compat.nix")


def host_imports(fleet: Fleet, host: Host, layout) -> list:
    """microvm.nix's host module, fleetc's other modules, then the fleet's (from hosts/)."""
    found = []
    if runs_microvm_host(fleet, host):
        found.append(nix.Expr("inputs.microvm.nixosModules.host"))
    if deployed_vms(fleet, host):
        found.append(nix.path(f"../{deploy_module(host)}"))
    if fleet.overlays:
        found.append(nix.path(f"../{OVERLAYS}"))
    back = from_subdir(layout.fleet_dir_from_output)
    return found + modules(fleet.modules + fleet.host_modules + host.modules, back)


def services(fleet: Fleet, host: Host, vms: list[Vm]) -> dict:
    """systemd.services: the install conditions, the retired VMs' stop units."""
    found: dict = {}
    if fleet.flake is not None and fleet.install_condition:
        found |= install_conditions(fleet, from_flake(fleet, vms))
    retiring = retired_units(fleet, host)
    if not found and not retiring:
        return {}
    units = nix.Commented(found | retiring, INSTALL_WHY) if found else retiring
    return {("systemd", "services"): units}


def microvm_host(fleet: Fleet, host: Host, vms: list[Vm], layout) -> dict:
    """Declared VMs in microvm.vms; those deployed with `microvm -Ru` (the
    host's or their own deploy_mode) only in the autostart list."""
    found: dict = {}
    if fleet.state_dir != microvm_options.host_option("stateDir")["default"]:
        found[("microvm", "stateDir")] = fleet.state_dir
    imperative = fleet.deploys_imperatively(host)
    later = [vm for vm in vms if fleet.deployed_imperatively(vm)]
    declared = [vm for vm in vms if vm not in later]
    if declared or not imperative:
        listed = {vm.name: declaration(fleet, vm, layout) for vm in declared}
        found[("microvm", "vms")] = vms_commented(fleet, declared, listed)
    if later or imperative:
        found |= autostart(later, every=imperative and not declared)
    return found


def vms_commented(fleet: Fleet, declared: list[Vm], listed: dict):
    """microvm.vms, with what needs saying about its entries said once."""
    why = [AUTOSTART_WHY] if any(not vm.autostart for vm in declared) else []
    why += [CONFIG_WHY] if builds_any(fleet, declared) else []
    return nix.Commented(listed, "\n".join(why)) if why else listed


def from_flake(fleet: Fleet, vms: list[Vm]) -> list[Vm]:
    """The VMs microvm.nix installs from the flake (install-microvm-<vm>)."""
    return [
        vm
        for vm in vms
        if vm.declare == "flake" and not fleet.deployed_imperatively(vm)
    ]


def declaration(fleet: Fleet, vm: Vm, layout) -> dict:
    # microvm.nix derives microvm.autostart from these flags (default true), so
    # fleetc sets the flag instead of the list: a list would be appended to the
    # derived one, and a VM with autostart = false would still start.
    if vm.declare == "config":
        found = config_declaration(fleet, vm)
    else:
        found = {"flake": nix.Expr("self")}
        if fleet.flake is not None:
            found["updateFlake"] = update_flake(
                fleet.flake, flake_subdir(fleet, layout)
            )
    if not vm.autostart:  # true is microvm.nix's default
        found["autostart"] = False
    return found


# Comments in the generated host modules: why these lines are there.
AUTOSTART_WHY = (
    "microvm.nix derives microvm.autostart from each VM's autostart flag (a\n"
    "list would add to it)"
)
IMPERATIVE_AUTOSTART_WHY = (
    "no VM is declared here (microvm -Ru deploys them): the list says which start"
)
MIXED_AUTOSTART_WHY = (
    "VMs deployed with microvm -Ru are not declared: this list adds those that\n"
    "start to the declared VMs microvm.nix starts"
)
JOURNAL_WHY = (
    "journalctl -m here reads each VM's journal: shared by the guest, linked\n"
    "into /var/log/journal under its machine-id (microvm.nix FAQ)"
)
INSTALL_WHY = (
    "microvm.nix installs a VM only while its directory is missing, which\n"
    "tmpfiles creates first: install-microvm-<vm> runs until its `current`\n"
    "link exists"
)


def autostart(vms: list[Vm], every: bool = True) -> dict:
    """Imperative deploys (`microvm -Ru`): microvm.nix derives no autostart
    entry for a VM it does not declare; fleetc writes them (`every`: no VM of
    the host is declared). microvm.nix's host module turns the list into
    `microvms.target` wanting `microvm@<vm>.service`, a unit it defines for
    every VM, declared or installed by `microvm -c`."""
    starting = [vm.name for vm in vms if vm.autostart]
    why = IMPERATIVE_AUTOSTART_WHY if every else MIXED_AUTOSTART_WHY
    return {("microvm", "autostart"): nix.Commented(starting, why)}


def journal_rules(fleet: Fleet, vms: list[Vm]) -> list[str]:
    """The FAQ's journal links, for this host's VMs only, and their directories."""
    rules = []
    for vm in vms:
        mode = fleet.journal_of(vm)
        if mode == JOURNAL_SHARE:
            rules += share_journal_rules(fleet, vm)
        elif journals.is_path(mode) and vm.machine_id:
            rules.append(journal_link(vm, in_share_journal(fleet, vm, mode)))
    return rules


def share_journal_rules(fleet: Fleet, vm: Vm) -> list[str]:
    """The share's directory, and the link to the journal in it. Without a
    machine-id from the fleet (`machine_id = false`) there is no name to link
    (F115 says so): the journal is kept on the host, unlinked."""
    directory = journal_dir(fleet.state_dir, vm)
    made = tmpfiles_line("d", directory, "0755", "microvm", "kvm", "-", "-")
    return [made, journal_link(vm, directory)] if vm.machine_id else [made]


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
        (f"install-microvm-{vm.name}", "unitConfig", "ConditionPathExists"): nix.Expr(
            "lib.mkForce " + nix.string(f"!{fleet.state_dir}/{vm.name}/current")
        )
        for vm in vms
    }
