"""fleet.lock is committed, so untrusted (issue 14): a truncated or edited lock
is refused before any value is read, and no locked value is drawn again
without a word. Real locks, cut and edited at every or at random byte
offsets; the CLI run as a subprocess on a fleet with random machine-ids."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetc.core.diagnostics import has_errors, render_text
from fleetc.lock.lockfile import Lock, LockedVm, freeze, parse_lock, render_lock
from fleetc.core.source import Source

from tests.support.paths import CASES, SAMPLES

SAMPLE_LOCKS = sorted(SAMPLES.glob("*/fleet.lock"))
BASIC = (SAMPLES / "basic" / "fleet.lock").read_bytes()


def parsed(data: bytes) -> tuple[Lock, list] | None:
    """parse_lock of the bytes; None when fleetc's reader refuses them (not
    UTF-8: files.read reports F030 before parse_lock sees them)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return parse_lock(Source("fleet.lock", text))


def rejected_or_same(data: bytes, original: Lock) -> bool:
    result = parsed(data)
    if result is None or has_errors(result[1]):
        return True
    lock, diagnostics = result
    return lock == original and not diagnostics


def checksum_holds(text: str) -> bool:
    """Checked here without fleetc: the last line is sha256 of the rest."""
    body, last = text[: text.rindex("# sha256: ")], text.splitlines()[-1]
    return last == "# sha256: " + hashlib.sha256(body.encode()).hexdigest()


@pytest.mark.parametrize("path", SAMPLE_LOCKS, ids=lambda p: p.parent.name)
def test_every_truncation_of_a_real_lock_is_rejected(path):
    data = path.read_bytes()
    original, diagnostics = parsed(data)
    assert diagnostics == [] and original.vms
    accepted = [
        cut for cut in range(len(data)) if not rejected_or_same(data[:cut], original)
    ]
    assert accepted == []
    assert checksum_holds(data.decode())


# What damage looks like: random bytes, and the few that turn a line into a
# comment or split it (valid TOML that quietly loses a value).
INSERTS = st.sampled_from([b"#", b"\n#", b"\n", b"\n\n[x]\n"]) | st.binary(max_size=3)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(SAMPLE_LOCKS),
    st.floats(0, 1, exclude_max=True),
    st.booleans(),
    st.integers(0, 3),
    INSERTS,
)
def test_an_edit_at_a_random_offset_is_rejected_or_means_the_same(
    path, where, line_start, removed, inserted
):
    data = path.read_bytes()
    at = int(where * len(data))
    if line_start:  # where a `#` comments a whole line out
        at = data.rfind(b"\n", 0, at) + 1
    edited = data[:at] + inserted + data[at + removed :]
    original, _ = parsed(data)
    assert rejected_or_same(edited, original)


def test_each_kind_of_damage_has_its_code_and_a_location():
    text = BASIC.decode()
    body = text[: text.rindex("# sha256: ")]
    cases = {
        "F806": body,  # the checksum line lost: cut at a line boundary
        "F807": text.replace('mac = "02:00:00:00:00:10"', 'mac = "02:00:00:00:00:12"'),
    }
    for code, damaged in cases.items():
        lock, [problem] = parse_lock(Source("fleet.lock", damaged))
        assert (lock, problem.code, problem.is_error) == (Lock(), code, True)
        assert problem.span is not None and "restore it from version control" in (
            problem.help
        )
        render_text(problem)


@settings(max_examples=200)
@given(st.text(min_size=1).filter(lambda n: "/" not in n))
def test_any_fleet_file_name_gives_a_lock_that_reads_back(name):
    lock = Lock(freeze({"web": LockedVm(host="h1", vsock_cid=3)}))
    text = render_lock(lock, name + ".toml")
    assert parse_lock(Source("fleet.lock", text)) == (lock, [])
    assert checksum_holds(text)


# -- the command line --------------------------------------------------------

RANDOM_FLEET = (
    (CASES / "minimal-allocated" / "fleet.toml")
    .read_text()
    .replace(
        '[fleet]\nname = "tiny"\n', '[fleet]\nname = "tiny"\nmachine_ids = "random"\n'
    )
)


def fleetc(where: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture()
def random_fleet(tmp_path):
    """A fleet whose machine-ids are drawn at random, generated once."""
    assert 'machine_ids = "random"' in RANDOM_FLEET
    (tmp_path / "fleet.toml").write_text(RANDOM_FLEET)
    assert fleetc(tmp_path, "generate", "fleet.toml").returncode == 0
    return tmp_path


def tree(where: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(where.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", ["generate", "check", "diff", "build"])
def test_a_truncated_lock_stops_every_command_and_nothing_is_redrawn(
    random_fleet, command
):
    lock = random_fleet / "fleet.lock"
    text = lock.read_text()
    cut = text.rindex('machine_id = "')  # the last VM's machine-id: lost
    lock.write_text(text[:cut])
    before = tree(random_fleet)
    done = fleetc(random_fleet, command, "fleet.toml")
    assert done.returncode == 1, done.stderr
    assert "error[F806]: fleet.lock does not end with its checksum line" in (
        done.stderr
    )
    assert "--> fleet.lock:" in done.stderr and "git checkout" in done.stderr
    assert tree(random_fleet) == before


def test_a_deliberate_edit_is_read_with_a_warning_and_sealed_again(random_fleet):
    lock = random_fleet / "fleet.lock"
    text = lock.read_text()
    start = text.rindex('machine_id = "')
    released = text[start : text.index("\n", start) + 1]
    body = text[: text.rindex("# sha256: ")].replace(released, "")
    lock.write_text(body + "# sha256: edited\n")
    done = fleetc(random_fleet, "generate", "fleet.toml")
    assert done.returncode == 0, done.stderr
    assert "warning[F809]: fleet.lock was edited by hand" in done.stderr
    assert "machine_id" in done.stderr  # the released value, drawn again, said so
    relocked = lock.read_text()
    assert checksum_holds(relocked) and released not in relocked
    again = fleetc(random_fleet, "check", "fleet.toml", "--locked")
    # only flake.lock's absence is warned about (F060: nothing pins the inputs)
    assert again.returncode == 0 and "warning[F8" not in again.stderr


def test_a_lock_of_fleetc_0_1_is_read_once_and_sealed_with_its_values(tmp_path):
    """fleetc 0.1 wrote samples/basic/fleet.lock as LOCK_0_1 (no checksum)."""
    shutil.copytree(SAMPLES / "basic", tmp_path / "basic")
    where = tmp_path / "basic"
    (where / "fleet.lock").write_text(LOCK_0_1)
    done = fleetc(where, "generate", "fleet.toml")
    assert done.returncode == 0, done.stderr
    assert "warning[F808]: fleet.lock has no checksum" in done.stderr
    assert (where / "fleet.lock").read_bytes() == BASIC  # same values, sealed
    again = fleetc(where, "generate", "fleet.toml", "--locked")
    # only flake.lock's absence is warned about (F060: nothing pins the inputs)
    assert again.returncode == 0 and "warning[F8" not in again.stderr


def test_a_fleet_file_name_with_a_newline_is_refused_before_any_lock(tmp_path):
    """Such a name broke the lock's header; now it is refused where it starts
    (F151), and render_lock escapes any name anyway (tested above)."""
    (tmp_path / "we\nird.toml").write_text(RANDOM_FLEET)
    first = fleetc(tmp_path, "generate", "we\nird.toml")
    assert first.returncode == 1 and "error[F151]" in first.stderr
    assert not (tmp_path / "we\nird.lock").exists()


LOCK_0_1 = """\
# fleet.lock: generated by fleetc from fleet.toml or fleet.fleet.
# Commit it with the fleet. It pins every VM's machine-id, vsock CID and
# interfaces' MAC, addresses and tap id, so that nothing moves between runs;
# a value written in the fleet file wins over this file.
# Do not edit: to release a value, delete its line.

version = 1

[vms.web]
host = "server1"
machine_id = "0123456789abcdef0123456789abcdef"
vsock_cid = 10

[vms.web.interfaces.lan]
id = "vm-web"
ipv4 = "10.0.0.10"
ipv6 = "fd12:3456:789a::10"
mac = "02:00:00:00:00:10"
"""
