"""fleet.lock's `[retired.<vm>.<host>]` records (retire.py): written and read back.

Read as strictly as the VMs' entries: each value is checked by the validator of
the VM field it copies (tap ids, machine-id), and reported where it stands. The
VM and host names are checked as the fleet file's are before anything uses
them: a record becomes a stop unit (and may delete a state directory) named
after them.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..frontend.tomlspans import SpanIndex
from .entries import Retired
from .values import (
    NAME_HELP,
    NAME_KEYS,
    REGENERATE_HELP,
    VALIDATORS,
    _dotted,
    _key,
    _string,
    _value,
)

RETIRED_KEYS = ("machine_id", "renamed_to", "taps")


class Reader(Protocol):
    """What reading a record needs of lockfile's reader (its `_Reader`),
    named here so that this module does not import lockfile, which imports it."""

    spans: SpanIndex

    def bad(self, path: tuple, message: str, **kw: Any) -> None: ...

    def named(self, path: tuple, kind: str) -> bool: ...

    def table(self, parent: dict, path: tuple) -> dict: ...

    def unknown(self, table: dict, known: tuple[str, ...], path: tuple) -> None: ...


def render_retired(record: Retired) -> str:
    path = ".".join(_key(part) for part in ("retired", record.vm, record.host))
    lines = [f"\n[{path}]\n"]
    for key in RETIRED_KEYS:
        value = getattr(record, key)
        if isinstance(value, tuple):
            lines.append(f"{key} = [{', '.join(_string(v) for v in value)}]\n")
        elif value is not None:
            lines.append(f"{key} = {_value(value)}\n")
    return "".join(lines)


def read_retired(reader: Reader, document: dict) -> dict[tuple[str, str], Retired]:
    found = {}
    for vm, hosts in reader.table(document, ("retired",)).items():
        if not reader.named(("retired", vm), "VM"):
            continue
        if not isinstance(hosts, dict):
            reader.bad(("retired", vm), f"`retired.{_key(vm)}` must be a table")
            continue
        for host, raw in hosts.items():
            if not reader.named(("retired", vm, host), "host"):
                continue
            record = _retired_one(reader, ("retired", vm, host), raw)
            if record is not None:
                found[(vm, host)] = record
    return found


def _retired_one(reader: Reader, path: tuple, raw: Any) -> Retired | None:
    if not isinstance(raw, dict):
        reader.bad(path, f"`{_dotted(path)}` must be a table")
        return None
    reader.unknown(raw, RETIRED_KEYS, path)
    values = {key: _retired_value(reader, path, raw, key) for key in RETIRED_KEYS}
    values["taps"] = values["taps"] or ()
    return Retired(path[1], path[2], **values, span=reader.spans.key(path))


def _retired_value(reader: Reader, path: tuple, raw: dict, key: str) -> Any:
    """One value of a retirement record, validated like the VM's own."""
    if key not in raw:
        return None
    value, where = raw[key], path + (key,)
    values = value if key == "taps" and isinstance(value, list) else [value]
    check = VALIDATORS["id" if key == "taps" else key]
    problems = [p for v in values if (p := check(v)) is not None]
    if key == "taps" and not isinstance(value, list):
        problems = ["must be a list of tap ids"]
    if problems:
        help = NAME_HELP if key in NAME_KEYS else REGENERATE_HELP
        reader.bad(where, f"`{_dotted(where)}` in fleet.lock {problems[0]}", help=help)
        return None
    return tuple(value) if key == "taps" else value
