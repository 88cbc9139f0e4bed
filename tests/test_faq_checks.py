"""The FAQ recipes' checks (F901..F906, F910..F912, F920, F006 in
[fleet.deploy]) and how [fleet.deploy] is read, through the TOML frontend.

Lines and columns were counted by hand: a value's column is its opening
quote (len(key) + 4 on a `key = "value"` line), a [table]'s the character
after `[`.
"""

from __future__ import annotations

import pytest

from fleetc import checks
from fleetc.core.diagnostics import Diagnostic, render_text
from fleetc.frontend.toml import load_toml
from fleetc.core.model import Deploy
from fleetc.core.source import Source

# Lines 1..13; cases append from line 14 or replace a line.
DEPLOYED = """\
[fleet]
name = "t"
flake = "git+https://example.org/f"

[fleet.deploy]
hydra = "https://hydra.example.org"
jobset = "org/cfg"
cache = "https://cache.example.org"

[hosts.h]

[vms.a]
host = "h"
"""


def read(text: str) -> tuple:
    return load_toml(Source("fleet.toml", text))


def diagnose(text: str) -> list[Diagnostic]:
    fleet, problems = read(text)
    assert problems == [], [render_text(d) for d in problems]
    return checks.run(fleet)


def where(found: list[Diagnostic], code: str) -> list[tuple]:
    return [(d.severity.value, *d.span.line_col) for d in found if d.code == code]


CASES = [
    (
        "deploy-without-flake",
        DEPLOYED.replace('flake = "git+https://example.org/f"\n', ""),
        "F901",
        ("error", 4, 2),
    ),
    (
        "deploy-with-channel-nix-path",
        DEPLOYED.replace('name = "t"', 'name = "t"\nnix_path = "channel"'),
        "F906",
        ("error", 3, 12),
    ),
    (
        "hydra-without-scheme",
        DEPLOYED.replace('"https://hydra.example.org"', '"hydra.example.org"'),
        "F902",
        ("error", 6, 9),
    ),
    (
        "hydra-with-query",
        DEPLOYED.replace('"https://hydra.example.org"', '"https://h.org/?x=1"'),
        "F902",
        ("error", 6, 9),
    ),
    (
        "jobset-without-project",
        DEPLOYED.replace('"org/cfg"', '"cfg"'),
        "F903",
        ("error", 7, 10),
    ),
    (
        "jobset-with-space",
        DEPLOYED.replace('"org/cfg"', '"org/my cfg"'),
        "F903",
        ("error", 7, 10),
    ),
    (
        "cache-not-a-store-url",
        DEPLOYED.replace('"https://cache.example.org"', '"cache.example.org"'),
        "F905",
        ("error", 8, 9),
    ),
    (
        "deploy-unknown-vm",
        DEPLOYED.replace('cache.example.org"\n', 'cache.example.org"\nvms = ["b"]\n'),
        "F006",
        ("error", 9, 8),
    ),
    (
        "vm-name-not-a-hydra-job",
        DEPLOYED.replace("[vms.a]", "[vms.1a]"),
        "F904",
        ("error", 12, 2),
    ),
    (
        "block-device-with-space",
        DEPLOYED + 'volumes = [{ image = "/dev/disk/by-id/a b" }]\n',
        "F910",
        ("error", 14, 22),
    ),
    (
        "block-device-with-dotdot",
        DEPLOYED + 'volumes = [{ image = "/dev/disk/../sda" }]\n',
        "F910",
        ("error", 14, 22),
    ),
    (
        "block-device-by-kernel-name",
        DEPLOYED + 'volumes = [{ image = "/dev/sdb" }]\n',
        "F911",
        ("warning", 14, 22),
    ),
    (
        "microvm-disk-group",
        DEPLOYED.replace('name = "t"', 'name = "t"\nmicrovm_disk_group = true'),
        "F912",
        ("warning", 3, 22),
    ),
    (
        "shared-secrets",
        DEPLOYED
        + 'shares = [{ tag = "s", source = "/run/secrets", mount = "/run/secrets" }]\n',
        "F920",
        ("warning", 14, 33),
    ),
]


@pytest.mark.parametrize(
    "text, code, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_bad_fleet_gives_its_diagnostic(text, code, expected):
    assert where(diagnose(text), code) == [expected]


def test_every_recipe_code_has_a_case():
    codes = {case[2] for case in CASES}
    assert codes == {
        "F006",
        "F901",
        "F902",
        "F903",
        "F904",
        "F905",
        "F906",
        "F910",
        "F911",
        "F912",
        "F920",
    }


CLEAN = [
    ("the-deployed-fleet", DEPLOYED),
    (
        "deploy-names-its-vms",
        DEPLOYED.replace('cache.example.org"\n', 'cache.example.org"\nvms = ["a"]\n'),
    ),
    (
        "block-devices-by-stable-links",
        DEPLOYED
        + "volumes = [\n"
        + '  { image = "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4", mount = "/d" },\n'
        + '  { image = "/dev/mapper/vg0-data" },\n'
        + '  { image = "/dev/zvol/tank/vms/a-data" },\n'
        + "]\n",
    ),
    (
        "secrets-look-alikes",
        DEPLOYED
        + "shares = [\n"
        + '  { tag = "a", source = "/run/secrets.d/1", mount = "/a" },\n'
        + '  { tag = "b", source = "run/secrets", mount = "/b" },\n'
        + '  { tag = "c", source = "/srv/run/secrets", mount = "/c" },\n'
        + "]\n",
    ),
]


@pytest.mark.parametrize("text", [c[1] for c in CLEAN], ids=[c[0] for c in CLEAN])
def test_look_alikes_are_clean(text):
    assert [render_text(d) for d in diagnose(text)] == []


def test_a_block_device_needs_no_size_a_file_image_still_does():
    text = DEPLOYED + 'volumes = [{ image = "/dev/sdb" }, { image = "a.img" }]\n'
    found = diagnose(text)
    # The missing size is reported at the volume's inline table.
    assert where(found, "F505") == [("error", 14, 36)]


def test_a_vm_left_out_of_deploy_may_have_any_host_name():
    text = DEPLOYED.replace("[vms.a]", "[vms.1a]").replace(
        'cache.example.org"\n', 'cache.example.org"\nvms = ["b"]\n'
    )
    text += '\n[vms.b]\nhost = "h"\n'
    assert [d.code for d in diagnose(text)] == []


def test_the_secrets_warning_names_vms_and_hosts():
    vms = "".join(
        f'\n[vms.v{i}]\nhost = "h{i % 2}"\n'
        f'shares = [{{ tag = "s", source = "/run/secrets/v{i}", mount = "/s" }}]\n'
        for i in range(10)
    )
    text = '[fleet]\nname = "t"\n\n[hosts.h0]\n[hosts.h1]\n' + vms
    [found] = diagnose(text)
    assert found.message == (
        "vms `v0`, `v1`, `v2`, `v3`, `v4`, `v5`, `v6`, `v7` and 2 more"
        " see updated sops-nix secrets only after a reboot"
    )
    assert found.help.startswith(
        "fleetc sets sops.keepGenerations = 0 on hosts `h0`, `h1`, so"
    )


# ---- reading [fleet.deploy] -------------------------------------------------------


def test_deploy_is_read_into_its_node():
    fleet, problems = read(
        DEPLOYED.replace('cache.example.org"\n', 'cache.example.org"\nvms = ["a"]\n')
    )
    assert problems == []
    assert fleet.deploy == Deploy(
        "https://hydra.example.org",
        "org/cfg",
        "https://cache.example.org",
        ("a",),
    )
    assert fleet.deploy.at("jobset").line_col == (7, 10)


def test_deploy_problems_are_located_reading_errors():
    text = DEPLOYED.replace('cache = "https://cache.example.org"\n', "hyrda = 1\n")
    text = text.replace('jobset = "org/cfg"', 'jobset = "org/cfg"\nvms = "a"')
    fleet, problems = read(text)
    found = {(d.code, *d.span.line_col, d.help) for d in problems}
    assert found == {
        ("F004", 5, 2, 'add `cache = "..."`'),
        ("F002", 9, 1, "did you mean `hydra`?"),
        ("F003", 8, 7, 'write `vms = ["..."]`'),
    }
    assert fleet.deploy is None
