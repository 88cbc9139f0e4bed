"""Errors a newcomer met that were wrong or noisy (issue 23.4), each through
the real compile: F803 without a false "missing" second error, a mistake in
[defaults.vm] said once, a table declared twice named as written and where
first, twins located at what differs, isolated bridges and routed networks
without NAT told (F217, F223), and warnings acknowledged with `allow`
(F090, F091)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from fleetc.core.diagnostics import Diagnostic
from fleetc.core.pipeline import Result, compile
from fleetc.core.placement import Placement
from fleetc.core.source import Source

from tests.support.goldens import run_fleetc
from tests.support.paths import CASES

PLACE = Placement(PurePosixPath("/fleet"))


def compiled(text: str, name: str = "fleet.toml", lock: str | None = None) -> Result:
    locked = Source("fleet.lock", lock) if lock is not None else None
    return compile(Source(name, text), PLACE, lock=locked)


def shown(diagnostics: list[Diagnostic]) -> list[tuple]:
    return [(d.code, d.severity.value, *d.span.line_col) for d in diagnostics]


# -- F803 alone -----------------------------------------------------------------


def test_a_value_another_vm_holds_in_the_lock_is_one_error(tmp_path):
    """The fleet writes b the address fleet.lock gives a: F803, and not also
    F209 "needs an address ... automatic allocation is not available yet"."""
    minimal = (CASES / "minimal-allocated" / "fleet.toml").read_text()
    first = compiled(minimal)
    assert first.ok and 'ipv4 = "10.1.0.3"' in first.lock_text  # a's
    taken = minimal.replace(
        '[vms.b]\nhost = "h1"\ninterfaces = [{ network = "lan" }]',
        '[vms.b]\nhost = "h1"\ninterfaces = [{ network = "lan", ipv4 = "10.1.0.3" }]',
    )
    found = compiled(taken, lock=first.lock_text).diagnostics
    assert [d.code for d in found] == ["F803"]
    assert "not available yet" not in (found[0].help or "")


# -- [defaults.vm] once ---------------------------------------------------------

DEFAULTS_TYPO = """\
[fleet]
name = "t"

[defaults.vm]
hypervisor = "qemuu"
vcpu = 0

[hosts.h]
""" + "".join(f'\n[vms.v{i}]\nhost = "h"\n' for i in range(5))

DEFAULTS_TYPO_DSL = """\
fleet t {
}
defaults vm {
  hypervisor qemuu
  vcpu 0
}
host h {
  vm v0
  vm v1
  vm v2
  vm v3
  vm v4
}
"""


@pytest.mark.parametrize(
    "text, name, lines",
    [(DEFAULTS_TYPO, "fleet.toml", (5, 6)), (DEFAULTS_TYPO_DSL, "fleet.fleet", (4, 5))],
)
def test_a_mistake_in_defaults_is_reported_once_at_the_defaults(text, name, lines):
    found = compiled(text, name).diagnostics
    assert [(d.code, d.span.line_col[0]) for d in found] == [
        ("F603", lines[0]),
        ("F005", lines[1]),
    ]
    assert {d.label for d in found} == {"in [defaults.vm]: 5 VMs take this value"}


def test_a_vm_that_overrides_the_default_is_not_counted():
    text = DEFAULTS_TYPO.replace(
        '[vms.v0]\nhost = "h"\n', '[vms.v0]\nhost = "h"\nvcpu = 1\n'
    )
    vcpu = [d for d in compiled(text).diagnostics if d.code == "F005"]
    assert [d.label for d in vcpu] == ["in [defaults.vm]: 4 VMs take this value"]


# -- a table declared twice -----------------------------------------------------


def test_a_table_declared_twice_is_named_and_points_at_the_first():
    text = '[fleet]\nname = "t"\n\n[vms."web 1"]\nhost = "h"\n\n[vms."web 1"]\n'
    [found] = compiled(text).diagnostics
    assert found.code == "F001"
    assert found.message == 'invalid TOML: [vms."web 1"] is declared twice'
    assert "(" not in found.message and "'" not in found.message
    assert found.span.line_col == (7, 1)
    assert found.span.source.text[found.span.start : found.span.end] == '[vms."web 1"]'
    assert found.label == "first declared at fleet.toml:4:1"


def test_other_key_paths_in_tomli_messages_are_dotted():
    text = '[fleet]\nname = "t"\n[vms]\nweb = { host = "h" }\n[vms.web.x]\n'
    [found] = compiled(text).diagnostics
    assert "[vms.web.x]" in found.message and "('" not in found.message
    assert found.span.line_col == (5, 1)


# -- twins located at what differs ----------------------------------------------


@pytest.fixture()
def twins(tmp_path) -> Path:
    text = (CASES / "minimal-allocated" / "fleet.toml").read_text()
    (tmp_path / "fleet.toml").write_text(text)
    assert run_fleetc(tmp_path, "generate", "fleet.toml")[0] == 0
    code, _, _ = run_fleetc(
        tmp_path, "convert", "fleet.toml", "--to", "fleet", "-o", "fleet.fleet"
    )
    assert code == 0 and run_fleetc(tmp_path, "check", "fleet.fleet")[0] == 0
    return tmp_path


def test_twins_that_differ_are_located_at_the_twins_differing_key(twins):
    dsl = twins / "fleet.fleet"
    dsl.write_text(dsl.read_text().replace("vm b {", "vm b mem 1024 {"))
    code, _, stderr = run_fleetc(twins, "check", "fleet.toml")
    assert code == 1 and "error[F035]" in stderr
    line = next(n for n, t in enumerate(dsl.read_text().splitlines(), 1) if "mem" in t)
    column = dsl.read_text().splitlines()[line - 1].index("1024") + 1
    assert f"--> fleet.fleet:{line}:{column}\n" in stderr
    assert "--> fleet.fleet:1:1" not in stderr


def test_a_vm_only_one_twin_has_is_located_at_that_vm(twins):
    dsl = twins / "fleet.fleet"
    dsl.write_text(dsl.read_text().replace("  vm b {", "  vm c\n  vm b {"))
    code, _, stderr = run_fleetc(twins, "check", "fleet.toml")
    assert code == 1 and "error[F035]" in stderr
    line = dsl.read_text().splitlines().index("  vm c") + 1
    assert f"--> fleet.fleet:{line}:" in stderr


# -- F217, F223 through the compile ---------------------------------------------

NO_UPLINK = """\
[fleet]
name = "t"

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.h]

[vms.a]
host = "h"
interfaces = [{ network = "lan" }]
"""


def test_a_vm_on_a_bridge_its_host_has_no_uplink_for_is_warned():
    result = compiled(NO_UPLINK)
    assert result.ok and shown(result.diagnostics) == [("F217", "warning", 11, 27)]
    assert "host `h` has no uplink" in result.diagnostics[0].message


def test_a_routed_network_without_nat_is_mentioned():
    text = NO_UPLINK.replace(
        'ipv4 = "10.0.0.0/24"\n',
        'ipv4 = "10.0.0.0/24"\ngateway4 = "10.0.0.1"\nmode = "routed"\n',
    )
    assert shown(compiled(text).diagnostics) == [("F223", "warning", 7, 8)]


# -- allow ----------------------------------------------------------------------


def with_fleet(text: str, line: str) -> str:
    """`line` right after [fleet]."""
    return text.replace("[fleet]\n", f"[fleet]\n{line}\n", 1)


def test_the_fleet_acknowledges_a_warning_by_code():
    result = compiled(with_fleet(NO_UPLINK, 'allow = ["F217"]'))
    assert result.diagnostics == []
    assert [d.code for d in result.acknowledged] == ["F217"]


def test_a_vm_acknowledges_its_own_warnings_and_no_others():
    two = NO_UPLINK + '\n[vms.b]\nhost = "h"\ninterfaces = [{ network = "lan" }]\n'
    text = two.replace(
        '[vms.a]\nhost = "h"\n', '[vms.a]\nhost = "h"\nallow = ["F217"]\n'
    )
    result = compiled(text)
    assert [d.message[:8] for d in result.diagnostics] == ["vm `b` i"]
    assert [d.message[:8] for d in result.acknowledged] == ["vm `a` i"]


def test_defaults_acknowledge_for_every_vm_that_leaves_allow_out():
    two = (
        NO_UPLINK
        + '\n[vms.b]\nhost = "h"\nallow = []\ninterfaces = [{ network = "lan" }]\n'
    )
    text = two.replace("[hosts.h]", '[defaults.vm]\nallow = ["F217"]\n\n[hosts.h]')
    assert [d.message[:8] for d in compiled(text).diagnostics] == ["vm `b` i"]


def test_the_dsl_acknowledges_alike():
    text = """\
fleet t {
  allow F217
}
network lan ipv4 10.0.0.0/24
host h {
  vm a {
    interface lan
  }
}
"""
    result = compiled(text, "fleet.fleet")
    assert result.diagnostics == [] and [d.code for d in result.acknowledged] == [
        "F217"
    ]


def test_an_unknown_code_is_a_located_warning():
    text = with_fleet(NO_UPLINK, 'allow = ["F217", "F9200"]')
    result = compiled(text)
    assert shown(result.diagnostics) == [("F090", "warning", 2, 18)]
    assert "`F9200`" in result.diagnostics[0].message


def test_a_code_never_raised_is_a_located_warning():
    text = with_fleet(NO_UPLINK, 'allow = ["F217", "F920"]')
    [unused] = compiled(text).diagnostics
    assert shown([unused]) == [("F091", "warning", 2, 18)]
    assert unused.message == "allow names F920, but no warning F920 is raised"
    vm = NO_UPLINK.replace('host = "h"\n', 'host = "h"\nallow = ["F304"]\n')
    [unused] = [d for d in compiled(vm).diagnostics if d.code == "F091"]
    assert unused.message.endswith("about vm `a`")


def test_an_error_code_is_not_acknowledged_and_said_so():
    """The lock conflicts (F803, an error): allow does not hide it, and says
    why (the run stopped, yet this much is known)."""
    minimal = (CASES / "minimal-allocated" / "fleet.toml").read_text()
    lock = compiled(minimal).lock_text
    taken = with_fleet(minimal, 'allow = ["F803"]').replace(
        '[vms.b]\nhost = "h1"\ninterfaces = [{ network = "lan" }]',
        '[vms.b]\nhost = "h1"\ninterfaces = [{ network = "lan", ipv4 = "10.1.0.3" }]',
    )
    found = compiled(taken, lock=lock).diagnostics
    assert [(d.code, d.severity.value) for d in found] == [
        ("F091", "warning"),
        ("F803", "error"),
    ]
    assert (
        found[0].message == "allow names F803, an error: errors cannot be acknowledged"
    )
    assert found[0].span.line_col == (4, 10)


def test_an_incomplete_run_does_not_call_allowances_unused():
    text = with_fleet(NO_UPLINK, 'allow = ["F217", "F920"]').replace(
        'network = "lan" }', 'network = "lan", ipv4 = "10.0.0.300" }'
    )
    assert [d.code for d in compiled(text).diagnostics] == ["F201"]


def test_check_says_how_many_warnings_it_acknowledged(tmp_path):
    """F217 of the compile, F060 of flake.lock's pins (no flake.lock here)."""
    text = with_fleet(NO_UPLINK, 'allow = ["F217", "F060"]')
    (tmp_path / "fleet.toml").write_text(text)
    code, _, stderr = run_fleetc(tmp_path, "check", "fleet.toml")
    assert code == 0
    assert stderr == "fleetc: fleet.toml: 1 host, 1 VM, 0 warnings (2 acknowledged)\n"


def test_allow_is_in_the_schema_editors_read():
    done = subprocess.run(
        [sys.executable, "-m", "fleetc", "schema"], capture_output=True, text=True
    )
    top = json.loads(done.stdout)["properties"]
    vms = top["vms"]["additionalProperties"]["properties"]
    defaults = top["defaults"]["properties"]["vm"]["properties"]
    for table in (top["fleet"]["properties"], vms, defaults):
        assert table["allow"]["type"] == "array"
        assert table["allow"]["items"] == {"type": "string"}
        assert "F920" in table["allow"]["description"]
