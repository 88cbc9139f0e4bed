"""fleet.lock's `[retired.<vm>.<host>]` records (retire.py): written and read back.

Read as strictly as the VMs' entries: each value is checked by the validator of
the VM field it copies (tap ids, machine-id), and reported where it stands.
"""

from __future__ import annotations

from typing import Any

from .lockfile import VALIDATORS, Retired, _dotted, _key, _Reader, _string, _value

RETIRED_KEYS = ("machine_id", "renamed_to", "taps")


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


def read_retired(reader: _Reader, document: dict) -> dict[tuple[str, str], Retired]:
    found = {}
    for vm, hosts in reader._table(document, ("retired",)).items():
        if not isinstance(hosts, dict):
            reader.bad(("retired", vm), f"`retired.{_key(vm)}` must be a table")
            continue
        for host, raw in hosts.items():
            record = _retired_one(reader, ("retired", vm, host), raw)
            if record is not None:
                found[(vm, host)] = record
    return found


def _retired_one(reader: _Reader, path: tuple, raw: Any) -> Retired | None:
    if not isinstance(raw, dict):
        reader.bad(path, f"`{_dotted(path)}` must be a table")
        return None
    reader._unknown(raw, RETIRED_KEYS, path)
    values = {key: _retired_value(reader, path, raw, key) for key in RETIRED_KEYS}
    values["taps"] = values["taps"] or ()
    return Retired(path[1], path[2], **values, span=reader.spans.key(path))


def _retired_value(reader: _Reader, path: tuple, raw: dict, key: str) -> Any:
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
        reader.bad(where, f"`{_dotted(where)}` in fleet.lock {problems[0]}")
        return None
    return tuple(value) if key == "taps" else value
