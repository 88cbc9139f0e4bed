"""Host-side storage settings: block devices handed to VMs, shared secrets.

Block devices (microvm.nix FAQ, "How do I let the `microvm` user access block
devices?"): the hypervisors run as the `microvm` user, which microvm.nix no
longer puts in group `disk`. fleetc takes the FAQ's "more secure solution":
one udev rule per device a VM of this host uses, making `microvm` its owner.
The group comes back only when the fleet asks (`microvm_disk_group`).

Secrets (FAQ, "My virtiofs-shared sops-nix /run/secrets disappears when the
host is updated!"): /run/secrets links to sops-nix's newest generation, and a
share exports the directory it resolved to at VM start. sops-nix prunes old
generations, so a running VM would lose its secrets; keepGenerations = 0
stops the pruning.
"""

from __future__ import annotations

from ..core.model import Fleet, Volume, Vm

SECRETS = "/run/secrets"
# microvm.nix's host module runs every hypervisor as this user.
MICROVM_USER = "microvm"


def host_storage(fleet: Fleet, vms: list[Vm]) -> dict:
    found: dict = {}
    rules = [udev_rule(v) for vm in vms for v in vm.volumes if v.is_block_device]
    if rules:
        found[("services", "udev", "extraRules")] = "".join(f"{r}\n" for r in rules)
    if fleet.microvm_disk_group:
        found[("users", "users", MICROVM_USER, "extraGroups")] = ["disk"]
    if fleet.sops_keep_generations and any(map(_holds_secrets, vms)):
        found[("sops", "keepGenerations")] = 0
    return found


def _holds_secrets(vm: Vm) -> bool:
    # "secrets" in the source first: a path naming /run/secrets holds the
    # word, and normalizing each share's path costs more (11,000 at 10,000 VMs).
    return any("secrets" in s.source and s.holds_secrets for s in vm.shares)


def udev_rule(volume: Volume) -> str:
    """Ownership of exactly this device (udev(7)). udev names nodes and links
    relative to /dev: a node directly in /dev is matched by its kernel name;
    anything deeper (disk/by-id/..., mapper/..., zvol/...) is a link that an
    earlier rules file added, and SYMLINK== matches any one of the device's
    links. NixOS writes extraRules to 99-local.rules, after all of those."""
    name = volume.image.removeprefix("/dev/")
    match = f'SYMLINK=="{name}"' if "/" in name else f'KERNEL=="{name}"'
    return f'SUBSYSTEM=="block", {match}, OWNER="{MICROVM_USER}"'
