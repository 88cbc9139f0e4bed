"""Retired VMs' stop units as NixOS sees them (the stand-ins in tests/nix).

A host module built after a removal carries the stop unit; one built after
`generate --forget` does not; the other host never does.
"""

from __future__ import annotations

from tests.support import nixeval
from tests.support.faq import inputs, staged
from tests.support.lifecycle import drop_vm, generate, journald

RETIRE_UNITS = """configurations: builtins.mapAttrs (name: c:
  builtins.filter (unit: builtins.substring 0 14 unit == "fleetc-retire-")
    (builtins.attrNames c.config.systemd.services)
) { inherit (configurations) alpha beta; }"""

METRICS_UNIT = """configurations: let
  unit = configurations.beta.config.systemd.services.fleetc-retire-metrics;
in { inherit (unit) wantedBy serviceConfig; stops = unit.script; }"""


def test_stop_unit_is_built_after_a_removal_and_gone_after_forget(tmp_path):
    fleet = journald(tmp_path / "repo", in_git=False)
    generate(fleet)
    drop_vm(fleet, "metrics")
    generate(fleet)
    flake = staged(fleet, tmp_path / "after-removal")
    found = nixeval.eval_flake(flake, "nixosConfigurations", inputs(), RETIRE_UNITS)
    assert found == {"alpha": [], "beta": ["fleetc-retire-metrics"]}
    unit = nixeval.eval_flake(flake, "nixosConfigurations", inputs(), METRICS_UNIT)
    assert unit["wantedBy"] == ["multi-user.target"]
    assert unit["serviceConfig"] == {"Type": "oneshot", "RemainAfterExit": True}
    assert unit["stops"].splitlines()[0].startswith("systemctl stop microvm@metrics")
    generate(fleet, "--forget", "metrics")
    flake = staged(fleet, tmp_path / "after-forget")
    found = nixeval.eval_flake(flake, "nixosConfigurations", inputs(), RETIRE_UNITS)
    assert found == {"alpha": [], "beta": []}
