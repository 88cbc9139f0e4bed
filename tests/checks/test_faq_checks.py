"""The FAQ recipes' checks (F901..F906, F910..F912, F920, F006 in
[fleet.deploy]) beyond their cases in cases/ (test_cases.py), and how
[fleet.deploy] is read, through the TOML frontend.

Lines and columns were counted by hand: a value's column is its opening
quote (len(key) + 4 on a `key = "value"` line), a [table]'s the character
after `[`.
"""

from __future__ import annotations

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
