"""`machine_id = false` (issue 22.1): the VM keeps the id systemd wrote into
its persistent /etc. Nothing in the tree names an id for it (no
/etc/machine-id, no microvm.machineId: null where microvm.nix has the option,
since its default would write one), none is allocated or locked, the host
cannot link its journal (F115, unless journal = "none"), and `plan` shows the
id leaving. Evaluated against both microvm.nix generations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import nixeval
from tests.support.faq import compile_dir, generate, inputs, staged, write_fleet
from tests.support.goldens import run_fleetc

FLEET = """\
[fleet]
name = "ids"

[defaults.vm]
machine_id = false

[hosts.h]
machine_id = "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"

[vms.own]
host = "h"

[vms.quiet]
host = "h"
journal = "none"

[vms.known]
host = "h"
machine_id = "0123456789abcdef0123456789abcdef"
"""

DSL = """\
fleet ids
defaults vm {
  machine-id false
}
host h {
  machine-id 5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a
  vm own
  vm quiet {
    journal none
  }
  vm known 0123456789abcdef0123456789abcdef
}
"""

REPORT = """configurations: builtins.mapAttrs (name: c: {
  etc = c.config.environment.etc."machine-id".text or null;
  declared = c.options ? microvm.machineId;
  machineId = c.config.microvm.machineId or null;
  tmpfiles = c.config.systemd.tmpfiles.rules or [ ];
}) configurations"""


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fleet(tmp_path_factory.mktemp("ids") / "fleet", FLEET)


@pytest.fixture(scope="module", params=["current", "legacy"])
def evaluated(request, fleet_dir: Path, tmp_path_factory) -> tuple[str, dict]:
    generate(fleet_dir)
    flake = staged(fleet_dir, tmp_path_factory.mktemp("staged"))
    generation = request.param
    report = nixeval.eval_flake(
        flake, "nixosConfigurations", inputs(generation), apply=REPORT
    )
    return generation, report


def test_no_id_is_written_for_the_vm(evaluated):
    generation, report = evaluated
    for vm in ("own", "quiet"):
        assert report[vm]["etc"] is None
        assert report[vm]["declared"] == (generation == "current")
        assert report[vm]["machineId"] is None
    assert report["known"]["etc"] == "0123456789abcdef0123456789abcdef\n"


def test_the_host_keeps_the_journal_but_cannot_link_it(evaluated):
    _, report = evaluated
    rules = report["h"]["tmpfiles"]
    assert "d /var/lib/microvms/own/journal 0755 microvm kvm - -" in rules
    assert not any("/var/lib/microvms/own/journal/" in rule for rule in rules)
    assert not any("quiet" in rule for rule in rules)
    known = "0123456789abcdef0123456789abcdef"
    assert (
        f"L+ /var/log/journal/{known} - - - - /var/lib/microvms/known/journal/{known}"
        in rules
    )


def test_none_is_allocated_or_locked_and_the_journal_warning_is_located(fleet_dir):
    result = compile_dir(fleet_dir)
    [warning] = result.diagnostics
    assert (warning.code, warning.span.line_col) == ("F115", (5, 14))
    assert "vm `own` has machine_id = false" in warning.message
    own = result.lock_text.split("[vms.own]")[1].split("[vms.quiet]")[0]
    assert "machine_id" not in own
    assert 'machine_id = "0123456789abcdef0123456789abcdef"' in result.lock_text
    addresses = result.files["lib/addresses.nix"]
    assert " own = " not in addresses and " quiet = " not in addresses


def test_the_dsl_says_the_same(tmp_path: Path):
    toml_dir = write_fleet(tmp_path / "toml", FLEET)
    dsl_dir = tmp_path / "dsl"
    dsl_dir.mkdir()
    (dsl_dir / "fleet.fleet").write_text(DSL)
    assert run_fleetc(toml_dir, "generate", "fleet.toml")[0] == 0
    assert run_fleetc(dsl_dir, "generate", "fleet.fleet")[0] == 0
    for name in ("vms/own.nix", "hosts/h.nix", "lib/addresses.nix"):
        toml_text = (toml_dir / "generated" / name).read_text()
        assert toml_text == (dsl_dir / "generated" / name).read_text()


def test_plan_shows_the_id_leaving(tmp_path: Path):
    fleet_dir = write_fleet(tmp_path, FLEET.replace("machine_id = false\n", "", 1))
    assert run_fleetc(fleet_dir, "generate", "fleet.toml")[0] == 0
    (fleet_dir / "fleet.toml").write_text(FLEET)
    code, stdout, _ = run_fleetc(fleet_dir, "plan", "fleet.toml")
    assert code == 0
    assert "!! machine-id: " in stdout
    assert " -> (none: the VM's own)" in stdout
    assert "microvm.machineId = null" in stdout
