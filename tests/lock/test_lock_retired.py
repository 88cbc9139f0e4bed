"""Retirement records in fleet.lock: written, read back, and strict like the rest."""

from __future__ import annotations

from fleetc.core.diagnostics import render_text
from fleetc.frontend import load
from fleetc.convert import to_fleet, to_toml
from fleetc.lock.lockfile import Lock, Retired, freeze, parse_lock, render_lock
from fleetc.lock.seal import seal
from fleetc.core.source import Source

RECORD = Retired("old-web", "h1", "0123456789abcdef0123456789abcdef", "web", ("a", "b"))


def test_records_render_and_read_back():
    lock = Lock(retired=freeze({("old-web", "h1"): RECORD}))
    text = render_lock(lock, "fleet.toml")
    assert (
        "\n[retired.old-web.h1]\n"
        'machine_id = "0123456789abcdef0123456789abcdef"\n'
        'renamed_to = "web"\n'
        'taps = ["a", "b"]\n'
    ) in text
    again, problems = parse_lock(Source("fleet.lock", text))
    assert problems == []
    assert again.retired == {("old-web", "h1"): RECORD}


def test_bad_record_values_are_located():
    text = seal('version = 2\n\n[retired.x.h1]\ntaps = ["ok", "a b"]\nlater = 1\n')
    _, problems = parse_lock(Source("fleet.lock", text))
    shown = [render_text(p).splitlines()[:2] for p in problems]
    assert [p.code for p in problems] == ["F802", "F802"]
    assert shown[0] == [
        "error[F802]: unknown key `retired.x.h1.later` in fleet.lock",
        " --> fleet.lock:5:9",
    ]
    assert shown[1] == [
        "error[F802]: `retired.x.h1.taps` in fleet.lock is not a legal interface"
        " name: `a b`",
        " --> fleet.lock:4:8",
    ]


def test_renamed_from_and_delete_state_in_both_formats():
    toml = (
        '[fleet]\nname = "f"\ndelete_state = ["gone"]\n\n[hosts.h]\n\n'
        '[vms.web]\nhost = "h"\nrenamed_from = "www"\n'
    )
    fleet, problems = load(Source("fleet.toml", toml))
    assert problems == []
    dsl = to_fleet(fleet)
    assert "delete-state gone" in dsl and "renamed-from www" in dsl
    again, problems = load(Source("fleet.fleet", dsl))
    assert problems == []
    assert (again.vms[0].renamed_from, again.delete_state) == ("www", ("gone",))
    assert 'renamed_from = "www"' in to_toml(again)
