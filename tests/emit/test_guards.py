"""emit/guards.py on settings fleetc does not write yet: a newer top-level
option, a newer option inside an attribute set of submodules, and one inside
a group. The module built from them evaluates with both generations of the
host stand-in (tests/nix/microvm/nixos-modules/host.nix, declared from each
generation's option data): the current one gets every value, 2025-07 only
what it declares."""

from __future__ import annotations

from fleetc.emit import nix
from fleetc.emit import guards

from tests.support import nixeval

SETTINGS = {
    ("networking", "hostName"): "h",
    ("microvm", "host", "startupTimeout"): 300,
    ("microvm", "vms"): {
        "web": {"autostart": False, "restartIfChanged": True, "extraModules": []},
    },
}


def module_text() -> str:
    """As host.nix.j2 lays it out when there is something to guard."""
    kept, newer = guards.split(SETTINGS, guards.host_tree(), 2)
    parts = "\n".join(f"  {part}" for part in guards.merge_elements(newer, 1))
    body = f"lib.mkMerge [\n  {nix.render(kept, 1)}\n{parts}\n]"
    return f"{{ lib, options, ... }}:\n{guards.LET}\n{body}\n"


def host_module(generation: str) -> str:
    data = nixeval.MICROVM if generation == "current" else nixeval.MICROVM_LEGACY
    read = f"builtins.fromJSON (builtins.readFile {data}/options.json)"
    return f"import {nixeval.MICROVM}/nixos-modules/host.nix {{ data = {read}; }}"


SELECT = """config: {
  timeout = config.microvm.host.startupTimeout or null;
  web = builtins.attrNames config.microvm.vms.web;
  autostart = config.microvm.vms.web.autostart;
}"""


def evaluate(generation: str, tmp_path) -> dict:
    module = tmp_path / "host.nix"
    module.write_text(module_text())
    modules = [host_module(generation), str(module)]
    expr = nixeval.nixos_expr(modules, "config")
    return nixeval.eval_json(f"({SELECT}) {expr}")


def test_the_module_names_each_newer_option_once() -> None:
    text = module_text()
    assert text.count('ifDeclared "microvm.host.startupTimeout"') == 1
    assert text.count('ifDeclared "microvm.vms.*.extraModules"') == 1
    # What 2025-07 has stays as it was.
    assert "autostart = false;" in text and 'ifDeclared "microvm.vms"' not in text


def test_current_generation_gets_every_setting(tmp_path) -> None:
    got = evaluate("current", tmp_path)
    assert got["timeout"] == 300
    assert "extraModules" in got["web"] and got["autostart"] is False


def test_oldest_generation_gets_what_it_declares(tmp_path) -> None:
    got = evaluate("legacy", tmp_path)
    assert got["timeout"] is None
    assert "extraModules" not in got["web"] and got["autostart"] is False


def test_declared_in_oldest_reads_the_2025_07_data() -> None:
    assert guards.declared_in_oldest("microvm.shares.*.tag")
    assert guards.declared_in_oldest("microvm.vms.*.updateFlake")
    assert not guards.declared_in_oldest("microvm.shares.*.readOnly")
    assert not guards.declared_in_oldest("microvm.vmHostPackages")


NIC = {"type": "tap", "id": "vm-a", "mac": "02:00:00:00:00:01", "tap": {"vhost": True}}


def guest_module(generation: str) -> str:
    data = nixeval.MICROVM if generation == "current" else nixeval.MICROVM_LEGACY
    read = f"builtins.fromJSON (builtins.readFile {data}/options.json)"
    return f"import {nixeval.MICROVM}/nixos-modules/guest.nix {{ data = {read}; }}"


def test_a_newer_group_is_guarded_option_by_option(tmp_path) -> None:
    """interfaces.*.tap (with tap.vhost) arrived in 2026: the guard names the
    option, not the group, which may gain other options later."""
    settings = {("networking", "hostName"): "a", ("microvm", "interfaces"): [NIC]}
    kept, newer = guards.split(settings, guards.guest_tree(), 1)
    (element,) = kept[("microvm", "interfaces")]
    assert newer == []
    guard = '// ifDeclared "microvm.interfaces.*.tap.vhost" { tap.vhost = true; }'
    assert guard in element.text
    module = tmp_path / "vm.nix"
    module.write_text(f"{{ lib, options, ... }}:\n{guards.LET}\n{nix.render(kept)}\n")
    select = "map (nic: if nic ? tap then nic.tap.vhost else null) "
    got = {
        generation: nixeval.eval_json(
            select
            + nixeval.nixos_expr(
                [guest_module(generation), str(module)], "config.microvm.interfaces"
            )
        )
        for generation in ("current", "legacy")
    }
    assert got == {"current": [True], "legacy": [None]}


def test_a_newer_top_level_group_leaves_nothing_unguarded() -> None:
    settings = {
        ("networking", "hostName"): "a",
        ("microvm", "vfkit"): {"logLevel": "info"},
        ("microvm", "vcpu"): 2,
    }
    kept, newer = guards.split(settings, guards.guest_tree(), 2)
    assert list(kept) == [("networking", "hostName"), ("microvm", "vcpu")]
    assert newer == [
        ("microvm.vfkit.logLevel", {("microvm", "vfkit", "logLevel"): "info"})
    ]
