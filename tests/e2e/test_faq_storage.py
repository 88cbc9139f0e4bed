"""Block devices, the `disk` group and sops-nix secrets shared with VMs,
evaluated and built against the stand-ins (samples/blockdev, samples/secrets
and a small fleet of two hosts). Expected udev rules were checked by hand
against udev(7): KERNEL== matches the kernel's node name, SYMLINK== any link
an earlier rules file made (by-id, mapper, zvol); OWNER= sets the owner.
"""

from __future__ import annotations

import pytest

from tests.support import nixeval
from tests.support.faq import compile_dir, generate, inputs, staged, write_fleet
from tests.support.paths import SAMPLES

DB_DISK = "/dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNX0T123456A"
STORE1_RULES = (
    'SUBSYSTEM=="block", SYMLINK=="mapper/vg0-backup", OWNER="microvm"\n'
    'SUBSYSTEM=="block", SYMLINK=="zvol/tank/vms/archive", OWNER="microvm"\n'
    'SUBSYSTEM=="block", SYMLINK=="disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_'
    'S5GXNX0T123456A", OWNER="microvm"\n'
)
RUNNERS = ["packages.x86_64-linux.db", "packages.x86_64-linux.backup"]
STORE1 = "nixosConfigurations.store1.config.system.build.toplevel"


@pytest.fixture(scope="module")
def blockdev(tmp_path_factory) -> dict:
    flake = staged(SAMPLES / "blockdev", tmp_path_factory.mktemp("blockdev"))
    built = nixeval.build_flake(flake, [*RUNNERS, STORE1], inputs())
    db, backup, host = nixeval.manifests(built[a] for a in [*RUNNERS, STORE1])
    return {"db": db, "backup": backup, "store1": host}


def test_device_volumes_are_never_created_and_have_no_size(blockdev):
    assert blockdev["db"]["volumes"] == [
        {
            "image": DB_DISK,
            "mountPoint": "/var/lib/postgresql",
            "fsType": "ext4",
            "autoCreate": False,
        },
        {
            "image": "wal.img",
            "mountPoint": "/var/lib/wal",
            "fsType": "ext4",
            "autoCreate": True,
            "size": 2048,
        },
    ]
    assert [v["autoCreate"] for v in blockdev["backup"]["volumes"]] == [False, False]


def test_the_host_owns_exactly_its_vms_devices_through_udev(blockdev):
    assert blockdev["store1"]["udevExtraRules"] == STORE1_RULES
    # No disk group unless the fleet asks for it.
    assert blockdev["store1"]["users"] == []


TWO_HOSTS = """\
[fleet]
name = "t"
microvm_disk_group = true

[hosts.h1]
[hosts.h2]

[vms.a]
host = "h1"
volumes = [{ image = "/dev/sdb" }]

[vms.b]
host = "h1"
volumes = [{ image = "/dev/disk/by-label/b-data", mount = "/data" }]

[vms.c]
host = "h2"
volumes = [{ image = "c.img", size = 64 }]
"""
HOST_STORAGE = """configurations: builtins.mapAttrs (name: c: {
  rules = c.config.services.udev.extraRules;
  groups = c.config.users.users.microvm.extraGroups;
}) { inherit (configurations) h1 h2; }"""


def test_disk_group_only_when_asked_and_rules_per_host(tmp_path):
    fleet = write_fleet(tmp_path / "fleet", TWO_HOSTS)
    _, diagnostics = generate(fleet)
    assert [(d.code, d.severity.value) for d in diagnostics] == [
        ("F912", "warning"),
        ("F911", "warning"),
    ]
    flake = staged(fleet, tmp_path / "staged")
    found = nixeval.eval_flake(flake, "nixosConfigurations", inputs(), HOST_STORAGE)
    assert found == {
        "h1": {
            "rules": 'SUBSYSTEM=="block", KERNEL=="sdb", OWNER="microvm"\n'
            'SUBSYSTEM=="block", SYMLINK=="disk/by-label/b-data", OWNER="microvm"\n',
            "groups": ["disk"],
        },
        "h2": {"rules": "", "groups": ["disk"]},
    }


# ---- sops-nix --------------------------------------------------------------------

KEEP = """configurations: builtins.mapAttrs (name: c: c.config.sops.keepGenerations)
  { inherit (configurations) keeper spare; }"""


def test_secrets_hosts_keep_every_generation_others_keep_the_default(tmp_path):
    sample = SAMPLES / "secrets"
    warnings = [d for d in compile_dir(sample).diagnostics if not d.is_error]
    assert [d.message for d in warnings] == [
        "vms `app`, `worker` see updated sops-nix secrets only after a reboot"
    ]
    assert "on host `keeper`," in warnings[0].help
    flake = staged(sample, tmp_path / "staged")
    with_sops = inputs(sops=True)
    assert nixeval.eval_flake(flake, "nixosConfigurations", with_sops, KEEP) == {
        "keeper": 0,
        "spare": 1,
    }
    toplevel = "nixosConfigurations.keeper.config.system.build.toplevel"
    built = nixeval.build_flake(flake, [toplevel], with_sops)
    [keeper] = nixeval.manifests([built[toplevel]])
    assert keeper["sops"] == {"keepGenerations": 0}


def test_every_sample_tree_of_the_recipes_parses():
    names = ["blockdev", "channel", "deploy", "host-runners", "secrets"]
    files = [
        path
        for name in names
        for path in sorted((SAMPLES / name / "generated").rglob("*.nix"))
    ]
    assert len(files) >= 5 * 4
    nixeval.parse(files)
