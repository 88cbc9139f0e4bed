"""What two public microvm.nix fleets set, transcribed by hand from reading
them, as the facts tests/test_transcribed.py compares with what fleetc's
samples of them evaluate to. Flat: fact path -> value.

samples/minime: github:gshipunov/nix-config at 50d6b09 (hosts/minime/uvm.nix,
hosts/minime/networking/uvm.nix, hosts/{auth,radicale,immich,miniflux}/default.nix).
samples/homelab: github:THERAAB/nix-homelab at 30403f84
(systems/x86_64-linux/nix-hypervisor/microvm.nix, share/nixos/microvm/default.nix,
systems/x86_64-linux/micro-*/hardware.nix, assets/properties/network.nix).

Where the original leaves a value to a default, the default is written (a
share without `socket`: "default"; networkd accepts router advertisements
unless forwarding: True).
"""

from __future__ import annotations

# -- samples/minime --------------------------------------------------------

MINIME_VMS = {
    # name: (vcpu, mem, mac)
    "auth": (2, 2560, "02:00:00:00:00:01"),
    "radicale": (1, 1024, "02:00:00:00:00:02"),
    "immich": (2, 4096, "02:00:00:00:00:03"),
    "miniflux": (2, 1024, "02:00:00:00:00:04"),
}
MINIME_ADDRESS = {"auth": 11, "radicale": 12, "immich": 13, "miniflux": 14}


def _share(tag: str, source: str, mount: str, socket: str = "default") -> dict:
    return {
        f"{tag}.source": source,
        f"{tag}.mountPoint": mount,
        f"{tag}.proto": "virtiofs",
        f"{tag}.socket": socket,
    }


def _minime_vm(name: str) -> dict:
    vcpu, mem, mac = MINIME_VMS[name]
    facts = {"hypervisor": "qemu", "vcpu": vcpu, "mem": mem}
    facts |= {"interface.type": "tap", "interface.id": f"uvm-{name}"}
    facts |= {"interface.mac": mac}
    # Their store share: tag "store" with socket "store.socket".
    shares = _share("store", "/nix/store", "/nix/.ro-store", "store.socket")
    for directory in ("etc", "var", "home"):
        shares |= _share(directory, directory, f"/{directory}", f"{directory}.socket")
    facts |= {f"share.{key}": value for key, value in shares.items()}
    facts["machine-id"] = None  # systemd's, in the persistent /etc
    facts |= {
        "network.mac": mac,
        "network.address": [f"10.99.99.{MINIME_ADDRESS[name]}/24"],
        "network.gateway": "10.99.99.1",
        "network.metric": 1024,
        "network.dhcp": "no",
        "network.ipv6-accept-ra": True,
        "nix-path": [],
    }
    return {f"vm.{name}.{key}": value for key, value in facts.items()}


MINIME_UPDATE = "github:gshipunov/nix-config/master"
MINIME = {
    **{k: v for name in MINIME_VMS for k, v in _minime_vm(name).items()},
    "host.declared": ["auth", "immich", "radicale"],
    **{f"host.update.{vm}": MINIME_UPDATE for vm in ("auth", "immich", "radicale")},
    "host.autostart": ["auth", "immich", "miniflux", "radicale"],
    "host.install-condition": [],
    "host.bridge": "microvm",
    "host.bridge.address": ["10.99.99.1/24", "fd12:3456:789a::1/64"],
    "host.bridge.dhcp-server": False,
    "host.bridge.send-ra": True,
    "host.bridge.prefixes": ["fd12:3456:789a::/64"],
    "host.bridge.ports": ["uvm-auth", "uvm-immich", "uvm-miniflux", "uvm-radicale"],
    "host.nat.enable": True,
    "host.nat.external": "enp90s0",
    "host.nat.internal-interfaces": ["microvm"],
    "host.nat.internal-ips": [],
    "host.nat.ipv6": True,
    "host.forwarding.ipv4": True,  # networking.nat turns it on
    "host.forwarding.ipv6": True,  # networking.nat.enableIPv6 turns it on
    "host.journal-links": [],
    "host.keep-generations": None,
}

# -- samples/homelab -------------------------------------------------------

HOMELAB_VMS = {
    # name: (mem, mac, machine-id)
    "micro-media": (6144, "02:00:00:00:00:01", "5537b436ea484e698e6c3426f309a4b8"),
    "micro-server": (4096, "02:00:00:00:00:02", "da0ebf2643d6441a81dabcc3620ca368"),
    "micro-infra": (4096, "02:00:00:00:00:03", "7964eeea619240a9a312ecff2bf3ffe2"),
    "micro-tailscale": (2024, "02:00:00:00:00:04", "58ce21dec8db4860b484cdf1ad45ecb4"),
    "micro-download": (2024, "02:00:00:00:00:05", "000ebf2643d6441a81dabcc3620ca888"),
    "micro-automate": (2024, "02:00:00:00:00:06", "a99ebf2643d6aa1a67dabcc3450ca778"),
}
STATE = "/var/lib/microvms"
# Their repository, checked out on the host (impermanence's /nix/persist).
CHECKOUT = "/nix/persist/nix-homelab"
HOMELAB_EXTRA_SHARES = {
    "micro-server": _share("sync", "/sync", "/sync")
    | _share("Camera", "/sync/Camera", "/var/lib/private/photoprism/originals"),
    "micro-infra": _share("homer-icons", f"{CHECKOUT}/assets/icons", "/icons"),
    "micro-automate": _share("sync", "/sync", "/sync")
    | _share(
        "custom-blueprints",
        f"{CHECKOUT}/systems/x86_64-linux/micro-automate/home-assistant/blueprints",
        "/var/lib/hass/blueprints/automation/custom",
    ),
}
HOMELAB_DEVICES = {
    "micro-media": ["pci 0000:00:02.0"],
    "micro-automate": ["pci 0000:00:14.0"],
}


def _homelab_shares(name: str) -> dict:
    storage = f"{STATE}/{name}/storage"
    found = _share("journal", f"{storage}/journal", "/var/log/journal", "journal.sock")
    found |= _share("ssh", f"{storage}/etc/ssh", "/etc/ssh")
    found |= _share("var-lib", f"{storage}/var/lib", "/var/lib")
    found |= _share("ro-store", "/nix/store", "/nix/.ro-store")
    found |= _share("secrets", f"/run/secrets/{name}", "/run/secrets")
    return found | HOMELAB_EXTRA_SHARES.get(name, {})


def _homelab_vm(name: str) -> dict:
    mem, mac, machine_id = HOMELAB_VMS[name]
    facts = {"hypervisor": "cloud-hypervisor", "vcpu": 1, "mem": mem}
    facts |= {"interface.type": "macvtap", "interface.id": name, "interface.mac": mac}
    facts |= {"interface.link": "enp3s0", "interface.mode": "bridge"}
    shares = _homelab_shares(name)
    facts |= {f"share.{key}": value for key, value in shares.items()}
    facts["machine-id"] = machine_id + "\n"
    facts["boot"] = ["/etc/ssh", "/var/lib", "/var/log/journal"]
    facts["devices"] = HOMELAB_DEVICES.get(name, [])
    facts |= {"network.mac": mac, "network.dhcp": "yes"}
    facts["network.client"] = "NetworkManager"
    facts["nix-path"] = []
    return {f"vm.{name}.{key}": value for key, value in facts.items()}


def _journal_link(name: str) -> str:
    machine_id = HOMELAB_VMS[name][2]
    target = f"{STATE}/{name}/storage/journal/{machine_id}"
    return f"L+ /var/log/journal/{machine_id} - - - - {target}"


HOMELAB_UPDATE = "github:THERAAB/nix-homelab"
HOMELAB = {
    **{k: v for name in HOMELAB_VMS for k, v in _homelab_vm(name).items()},
    "host.declared": sorted(HOMELAB_VMS),
    **{f"host.update.{vm}": HOMELAB_UPDATE for vm in HOMELAB_VMS},
    "host.autostart": sorted(HOMELAB_VMS),
    "host.install-condition": [],
    "host.journal-links": sorted(_journal_link(name) for name in HOMELAB_VMS),
    "host.keep-generations": None,
}
