"""A whole fleet document (already parsed into plain values) into a Fleet.

The top-level tables are read in dependency order, not in the order written:
[fleet] gives hosts and VMs their default `system`, and [defaults.vm] gives VMs
every key they leave out, so both must be known before any host or VM is built.
"""

from __future__ import annotations

from typing import Any

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet, Pairs, VmDefaults
from .reader import Fields, Locator, Reader
from .written import written_fields
from .schema import DOCUMENT, FLEET, HOST, VM

_MEMBERS = ("networks", "hosts", "vms")


def read_document(
    data: dict[str, Any],
    locate: Locator,
    source_name: str,
    reader: Reader | None = None,
) -> tuple[Fleet | None, list[Diagnostic]]:
    """`reader`: one that words its messages for another format (the DSL's)."""
    reader = reader or Reader(locate)
    top = Fields()
    written = {
        key.name: (key, value) for key, value in reader.known(data, DOCUMENT, ())
    }
    for name in ("fleet", "defaults"):
        _read_top(reader, written, name, top)
    fleet = top.values.get("fleet")
    _set_fallbacks(reader, fleet or Fields(), top.values.get("defaults"), locate)
    for name in _MEMBERS:
        _read_top(reader, written, name, top)
    if "fleet" not in written:
        reader.diagnostics.append(_no_fleet_table(locate))
    if fleet is None:
        return None, reader.diagnostics
    defaults = _vm_defaults(top.values.get("defaults"), locate)
    members = _with_members(fleet, top)
    built = reader.build(
        FLEET, members, ("fleet",), source_name=source_name, vm_defaults=defaults
    )
    return built, reader.diagnostics


def _read_top(reader: Reader, written: dict, name: str, into: Fields) -> None:
    if name in written:
        key, value = written[name]
        reader.read_key(key, value, (name,), into)


def _set_fallbacks(
    reader: Reader, fleet: Fields, defaults: Fields | None, locate
) -> None:
    """Hosts and VMs take fleet.system; VMs also take every key of [defaults.vm]."""
    system = Fields()
    system.put(
        "system", fleet.values.get("system", Fleet.system), _system_spans(fleet, locate)
    )
    reader.fallbacks[HOST] = system
    vm_defaults = defaults.values.get("vm") if defaults else None
    reader.fallbacks[VM] = (vm_defaults or Fields()).filled_from(system)


def _vm_defaults(defaults: Fields | None, locate: Locator) -> VmDefaults | None:
    """[defaults.vm] as written, in the schema's order (convert writes it back)."""
    vm = defaults.values.get("vm") if defaults else None
    if vm is None:
        return None
    pairs = Pairs(
        (k.field, vm.values[k.field]) for k in VM.keys if k.field in vm.values
    )
    return VmDefaults(
        values=pairs,
        span=locate.value(("defaults", "vm")),
        spans=vm.flat_spans(locate.value_in),
        written=written_fields(vm.values),
    )


def _system_spans(fleet: Fields, locate: Locator) -> dict:
    return fleet.spans.get("system") or {"system": locate.value(("fleet",))}


def _with_members(fleet: Fields, top: Fields) -> Fields:
    """[fleet]'s own keys plus the top-level networks, hosts and VMs."""
    merged = Fields(dict(fleet.values), dict(fleet.spans), set(fleet.rejected))
    for name in _MEMBERS:
        if name in top.values:
            merged.put(name, top.values[name], top.spans[name])
    return merged


def _no_fleet_table(locate: Locator) -> Diagnostic:
    return error(
        "F004",
        "missing required table [fleet]",
        locate.value(()),
        help='add a [fleet] table with at least `name = "..."`',
    )
