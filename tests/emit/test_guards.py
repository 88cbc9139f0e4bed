"""emit/guards.py and lib/compat.nix on settings fleetc does not write yet: a
newer top-level option, a newer option inside an attribute set of
submodules, and one inside a group. The module built from them (through the
generated lib/compat.nix) evaluates with both generations of the stand-ins
(tests/nix/microvm/nixos-modules/*.nix, declared from each generation's
option data): the current one gets every value, 2025-07 only what it
declares."""

from __future__ import annotations

from pathlib import Path

from fleetc.core.placement import Layout
from fleetc.emit import guards, nix
from fleetc.emit.compat import compat_files

from tests.support import nixeval

SETTINGS = {
    ("networking", "hostName"): "h",
    ("microvm", "host", "startupTimeout"): 300,
    ("microvm", "vms"): {
        "web": {"autostart": False, "restartIfChanged": True, "extraModules": []},
    },
}


def write_module(tmp_path: Path, settings: dict, tree: dict) -> Path:
    """hosts/m.nix as fleetc writes a module that needs compat, and lib/compat.nix."""
    newer = guards.newer_options(settings, tree)
    for name, text in compat_files(
        newer, Layout("fleet.toml", "..", None), True
    ).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    module = tmp_path / "hosts" / "m.nix"
    module.parent.mkdir(exist_ok=True)
    module.write_text(f"import ../lib/compat.nix {nix.render(settings)}\n")
    nixeval.parse([module, tmp_path / "lib" / "compat.nix"])
    return module


def stand_in(kind: str, generation: str) -> str:
    data = nixeval.MICROVM if generation == "current" else nixeval.MICROVM_LEGACY
    read = f"builtins.fromJSON (builtins.readFile {data}/options.json)"
    return f"import {nixeval.MICROVM}/nixos-modules/{kind}.nix {{ data = {read}; }}"


SELECT = """config: {
  timeout = config.microvm.host.startupTimeout or null;
  web = builtins.attrNames config.microvm.vms.web;
  autostart = config.microvm.vms.web.autostart;
}"""


def evaluate(generation: str, tmp_path: Path) -> dict:
    module = write_module(tmp_path, SETTINGS, guards.host_tree())
    modules = [stand_in("host", generation), str(module)]
    expr = nixeval.nixos_expr(modules, "config")
    return nixeval.eval_json(f"({SELECT}) {expr}")


def test_each_newer_option_is_named_once() -> None:
    assert guards.newer_options(SETTINGS, guards.host_tree()) == {
        "microvm.host.startupTimeout",
        "microvm.vms.*.extraModules",
    }


def test_current_generation_gets_every_setting(tmp_path) -> None:
    got = evaluate("current", tmp_path)
    assert got["timeout"] == 300
    assert "extraModules" in got["web"] and got["autostart"] is False


def test_oldest_generation_gets_what_it_declares(tmp_path) -> None:
    got = evaluate("legacy", tmp_path)
    assert got["timeout"] is None
    assert "extraModules" not in got["web"] and got["autostart"] is False


def test_without_compat_the_oldest_generation_fails(tmp_path) -> None:
    """What compat is for: the same settings, written plainly."""
    module = tmp_path / "plain.nix"
    module.write_text(nix.render(SETTINGS) + "\n")
    expr = nixeval.nixos_expr([stand_in("host", "legacy"), str(module)], "config")
    assert "startupTimeout" in nixeval.eval_error(f"({SELECT}) {expr}")


def test_declared_in_oldest_reads_the_2025_07_data() -> None:
    assert guards.declared_in_oldest("microvm.shares.*.tag")
    assert guards.declared_in_oldest("microvm.vms.*.updateFlake")
    assert not guards.declared_in_oldest("microvm.shares.*.readOnly")
    assert not guards.declared_in_oldest("microvm.vmHostPackages")


NIC = {"type": "tap", "id": "vm-a", "mac": "02:00:00:00:00:01", "tap": {"vhost": True}}


def test_a_newer_group_is_named_option_by_option(tmp_path) -> None:
    """interfaces.*.tap (with tap.vhost) arrived in 2026: compat names the
    option, not the group, which may gain other options later; the group it
    leaves empty goes too."""
    settings = {("networking", "hostName"): "a", ("microvm", "interfaces"): [NIC]}
    newer = guards.newer_options(settings, guards.guest_tree())
    assert newer == {"microvm.interfaces.*.tap.vhost"}
    module = write_module(tmp_path, settings, guards.guest_tree())
    select = "map (nic: if nic ? tap then nic.tap.vhost else null) "
    got = {
        generation: nixeval.eval_json(
            select
            + nixeval.nixos_expr(
                [stand_in("guest", generation), str(module)],
                "config.microvm.interfaces",
            )
        )
        for generation in ("current", "legacy")
    }
    assert got == {"current": [True], "legacy": [None]}


def test_a_newer_top_level_group_leaves_nothing_unnamed() -> None:
    settings = {
        ("networking", "hostName"): "a",
        ("microvm", "vfkit"): {"logLevel": "info"},
        ("microvm", "vcpu"): 2,
    }
    assert guards.newer_options(settings, guards.guest_tree()) == {
        "microvm.vfkit.logLevel"
    }


def test_defaults_of_both_generations() -> None:
    assert guards.default_in_both(("microvm", "mem"), 512)
    assert guards.default_in_both(("microvm", "hypervisor"), "qemu")
    assert not guards.default_in_both(("microvm", "mem"), 1024)
    assert not guards.default_in_both(("microvm", "machineId"), None)
