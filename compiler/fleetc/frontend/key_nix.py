"""What each key of the fleet file produces in the generated tree, and the
default of the keys whose model value (None: "not written") says less than
the rule behind it. By section title, then key name, as frontend/schema.py
declares them; tests/docs/test_reference.py holds both to the schema's keys.

The key reference (docs/reference/keys.md, cli/reference_keys.py) and the
JSON Schema's descriptions (`fleetc schema`) show them. File names are
relative to the output directory; `<vm>` and `<host>` stand for the names.
"""

from __future__ import annotations

NOTHING = "nothing in Nix: read by fleetc only"

PRODUCES: dict[str, dict[str, str]] = {
    "[fleet.inputs.<name>]": {
        "url": "flake.nix: `inputs.<name>.url`",
        "follows_nixpkgs": 'flake.nix: `inputs.<name>.inputs.nixpkgs.follows = "nixpkgs"`',
        "flake": "flake.nix: `inputs.<name>.flake = false`",
        "follows": "flake.nix: `inputs.<name>.inputs.<input>.follows`",
    },
    "[fleet.deploy]": {
        "hydra": "deploy/<host>.sh: the Hydra URL update-microvm asks",
        "jobset": "deploy/<host>.sh: `job/<project>/<jobset>/<vm>/latest`",
        "cache": "deploy/<host>.sh: `nix copy --from <cache>`",
        "vms": "deploy/<host>.sh: the VMs update-microvm updates",
    },
    "[fleet]": {
        "name": "flake.nix: `description`; generated headers",
        "domain": "hosts/<host>.nix and lib/every-vm.nix: `networking.domain`",
        "system": "outputs.nix: the `system` of each host and VM not in `systems`",
        "nixpkgs": "flake.nix: `inputs.nixpkgs.url`",
        "microvm": "flake.nix: `inputs.microvm.url`",
        "flake": "hosts/<host>.nix: `microvm.vms.<vm>.updateFlake` (with `dir=`), the install-microvm-<vm> condition",
        "state_dir": "hosts/<host>.nix: `microvm.stateDir` (when not the default), journal links; share sources",
        "output": NOTHING + " (where the tree is written)",
        "embed": "no flake.nix; outputs.nix only, for the repository's own flake",
        "journal": "the default of each VM's `journal`",
        "nix_path": "lib/every-vm.nix: `nix.nixPath`",
        "store": "lib/every-vm.nix: the `ro-store` share of the host's /nix/store (disk: none, microvm.nix's store disk)",
        "network_stack": "hosts and VMs: `systemd.network.*` and `networking.useNetworkd` (none: nothing)",
        "machine_ids": NOTHING + " (how left-out machine-ids are drawn)",
        "microvm_disk_group": 'hosts/<host>.nix: `users.users.microvm.extraGroups = [ "disk" ]`',
        "deploy_mode": "hosts/<host>.nix: `microvm.vms` (declarative) or `microvm.autostart` (imperative)",
        "deploy_tool": "flake.nix: its input; outputs.nix: `deploy` and `checks` (deploy-rs) or `colmenaHive`",
        "modules": "hosts/<host>.nix and vms/<vm>.nix: `imports`",
        "vm_modules": "vms/<vm>.nix: `imports`",
        "host_modules": "hosts/<host>.nix: `imports`",
        "overlays": "lib/overlays.nix: `nixpkgs.overlays` of every host and VM",
        "inputs": "flake.nix: `inputs.<name>`; modules receive them as `inputs`",
        "deploy": "deploy/<host>.nix and deploy/<host>.sh: update-microvm on each host",
        "delete_state": "hosts/<host>.nix: the retire unit deletes `<state_dir>/<vm>`",
        "install_condition": "hosts/<host>.nix: `systemd.services.install-microvm-<vm>.unitConfig.ConditionPathExists` (false: none)",
        "store_read_only": "lib/every-vm.nix: `readOnly` on the `ro-store` share (false: none)",
        "sops_keep_generations": "hosts/<host>.nix: `sops.keepGenerations = 0` beside /run/secrets shares (false: none)",
        "allow": NOTHING + " (warnings not shown)",
    },
    "[networks.<name>]": {
        "ipv4": "guests' and hosts' `systemd.network.networks` addresses; lib/addresses.nix",
        "gateway4": "`systemd.network.networks.<unit>.gateway` (or a route via an IPv6 next hop)",
        "ipv6": "guests' and hosts' `systemd.network.networks` addresses; lib/addresses.nix",
        "gateway6": "`systemd.network.networks.<unit>.gateway`",
        "dns": "`systemd.network.networks.<unit>.dns` of guests and hosts",
        "mode": "hosts/<host>.nix: a bridge netdev (bridge) or a route per tap (routed)",
        "bridge": "hosts/<host>.nix: `systemd.network.netdevs` of the bridge, its name",
        "vlan": "hosts/<host>.nix: a `Kind=vlan` netdev `<uplink>.<vlan>` on the bridge",
        "reserved": NOTHING + " (never allocated)",
        "addressing": "vms/<vm>.nix: static addresses, `networkConfig.DHCP` or IPv6 RA (none: no unit)",
        "router": "the router's hosts/<host>.nix: gateways, forwarding, NAT, router advertisements, DHCP server",
    },
    "[[hosts.<name>.interfaces]]": {
        "network": "hosts/<host>.nix: the bridge unit that carries the addresses",
        "ipv4": "hosts/<host>.nix: the bridge unit's `address`",
        "ipv6": "hosts/<host>.nix: the bridge unit's `address`",
    },
    "[hosts.<name>.bond]": {
        "name": "hosts/<host>.nix: a `Kind=bond` netdev",
        "ports": "hosts/<host>.nix: a `Bond=` network unit per port",
        "mode": "hosts/<host>.nix: the bond netdev's `bondConfig.Mode`",
    },
    "[hosts.<name>]": {
        "machine_id": NOTHING + " (checked against its VMs')",
        "target": "outputs.nix: deploy-rs `hostname`/`sshUser`/`sshOpts` or colmena `deployment.*`",
        "system": "outputs.nix: `systems.<host>`",
        "uplink": "hosts/<host>.nix: the port's network unit, on the bridge or carrying VLANs",
        "modules": "hosts/<host>.nix: `imports`",
        "interfaces": "hosts/<host>.nix: the host's addresses on its bridges",
        "deploy_mode": "hosts/<host>.nix: `microvm.vms` or `microvm.autostart` for its VMs",
        "bond": "hosts/<host>.nix: the bond and its ports",
        "microvm_host": "hosts/<host>.nix: `inputs.microvm.nixosModules.host` in `imports`",
    },
    "[[vms.<name>.interfaces]]": {
        "network": "vms/<vm>.nix: a `microvm.interfaces` entry and its network unit",
        "ipv4": "vms/<vm>.nix: the network unit's `address`; lib/addresses.nix",
        "ipv6": "vms/<vm>.nix: the network unit's `address`; lib/addresses.nix",
        "mac": "vms/<vm>.nix: `microvm.interfaces.*.mac`, the unit's `matchConfig.MACAddress`",
        "id": "vms/<vm>.nix: `microvm.interfaces.*.id`; the host puts the tap on the bridge",
        "type": "vms/<vm>.nix: `microvm.interfaces.*.type`",
        "macvtap_link": "vms/<vm>.nix: `microvm.interfaces.*.macvtap.link`",
        "macvtap_mode": "vms/<vm>.nix: `microvm.interfaces.*.macvtap.mode`",
        "vhost": "vms/<vm>.nix: `microvm.interfaces.*.tap.vhost`",
    },
    "[[vms.<name>.shares]]": {
        "tag": "vms/<vm>.nix: `microvm.shares.*.tag`",
        "source": "vms/<vm>.nix: `microvm.shares.*.source`",
        "mount": "vms/<vm>.nix: `microvm.shares.*.mountPoint`",
        "proto": "vms/<vm>.nix: `microvm.shares.*.proto`",
        "socket": "vms/<vm>.nix: `microvm.shares.*.socket`",
        "read_only": "vms/<vm>.nix: `microvm.shares.*.readOnly`",
        "needed_for_boot": "vms/<vm>.nix: `fileSystems.<mount>.neededForBoot`",
        "from_repo": "vms/<vm>.nix: `source` is the directory's store path",
    },
    "[[vms.<name>.volumes]]": {
        "image": "vms/<vm>.nix: `microvm.volumes.*.image`; a /dev device: `autoCreate = false` and a udev rule on the host",
        "mount": "vms/<vm>.nix: `microvm.volumes.*.mountPoint`",
        "size": "vms/<vm>.nix: `microvm.volumes.*.size`",
    },
    "[[vms.<name>.devices]]": {
        "bus": "vms/<vm>.nix: `microvm.devices.*.bus`",
        "path": "vms/<vm>.nix: `microvm.devices.*.path`",
    },
    "[vms.<name>]": {
        "host": "hosts/<host>.nix: `microvm.vms.<vm>` (or `microvm.autostart`), journal links",
        "system": "outputs.nix: `systems.<vm>`",
        "machine_id": "vms/<vm>.nix: `microvm.machineId` or `environment.etc.machine-id`; the host's journal link",
        "hypervisor": "vms/<vm>.nix: `microvm.hypervisor`",
        "vcpu": "vms/<vm>.nix: `microvm.vcpu`",
        "mem": "vms/<vm>.nix: `microvm.mem`",
        "autostart": "hosts/<host>.nix: `microvm.vms.<vm>.autostart` or `microvm.autostart`",
        "vsock_cid": "vms/<vm>.nix: `microvm.vsock.cid`",
        "vsock": "vms/<vm>.nix: `microvm.vsock.cid` (allocated)",
        "journal": "vms/<vm>.nix: the `journal` share; hosts/<host>.nix: `L+` tmpfiles link",
        "runner_from_host": "vms/<vm>.nix: `microvm.declaredRunner` from `lib.buildRunner`, `microvm.vmHostPackages`",
        "modules": "vms/<vm>.nix: `imports`",
        "interfaces": "vms/<vm>.nix: `microvm.interfaces`, networkd units matched by MAC",
        "shares": "vms/<vm>.nix: `microvm.shares`",
        "volumes": "vms/<vm>.nix: `microvm.volumes`",
        "devices": "vms/<vm>.nix: `microvm.devices`",
        "meta": "lib/meta.nix: `lib.meta.<vm>`",
        "renamed_from": "the retire unit of the old name moves its journal",
        "deploy_mode": "hosts/<host>.nix: `microvm.vms.<vm>` or `microvm.autostart`",
        "declare": "hosts/<host>.nix: `microvm.vms.<vm>.flake` or `.config` with `restartIfChanged`",
        "microvm": "vms/<vm>.nix: `microvm.<path>` as written",
        "allow": NOTHING + " (warnings not shown)",
    },
    "[defaults]": {"vm": "what each VM key produces, for every VM that leaves it out"},
    "the fleet file": {
        "fleet": "see [fleet]",
        "defaults": "see [defaults]",
        "networks": "see [networks.<name>]",
        "hosts": "see [hosts.<name>]",
        "vms": "see [vms.<name>]",
    },
}

# Defaults a model's None does not say; others come from core/model.py.
DEFAULTS: dict[str, dict[str, str]] = {
    "[fleet]": {"flake": "none: no updateFlake"},
    "[networks.<name>]": {"bridge": "the network's name"},
    "[hosts.<name>]": {
        "system": "[fleet] system",
        "deploy_mode": "[fleet] deploy_mode",
        "microvm_host": "true where VMs run",
        "target": "the host's name",
    },
    "[[vms.<name>.interfaces]]": {
        "ipv4": "allocated, locked",
        "ipv6": "allocated, locked",
        "mac": "derived, locked",
        "id": "vm-<name>, locked",
        "vhost": "microvm.nix's (off)",
    },
    "[[vms.<name>.shares]]": {"socket": "microvm.nix's"},
    "[vms.<name>]": {
        "system": "[fleet] system",
        "machine_id": "derived, locked",
        "vsock_cid": "allocated with vsock = true",
        "vsock": "true when vsock_cid is set",
        "journal": '"share" ([fleet] journal = false: "none")',
        "deploy_mode": "its host's",
    },
}


def produces(section_title: str, key: str) -> str | None:
    return PRODUCES.get(section_title, {}).get(key)


def default_rule(section_title: str, key: str) -> str | None:
    return DEFAULTS.get(section_title, {}).get(key)
