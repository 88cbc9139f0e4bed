"""Emitting on more than one core (emit/split.py): the same files, in the
same order, as one process; and when a child fails, its share rendered here.

Children are real forks; the failures are real (a child killed, a result
marshal cannot carry, an exception, Ctrl-C), made by the render function the
test hands to split.forked, not by replacing fleetc's code.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetc.core import microvm_options, pipeline
from fleetc.core.placement import Placement
from fleetc.core.source import Source
from fleetc.emit import emit, split

ROOT = Path(__file__).parents[2]
SAMPLES = sorted(p.parent.name for p in (ROOT / "samples").glob("*/fleet.toml"))


def compiled(text: str, lock: str | None = None, where: Path = Path("/fleet")):
    source = Source("fleet.toml", text)
    placement = Placement(PurePosixPath(where.as_posix()))
    result = pipeline.compile(
        source, placement, lock=Source("fleet.lock", lock) if lock else None
    )
    assert result.ok, result.diagnostics
    return result, pipeline.layout(source, placement, result.output_dir)


def sample(name: str):
    folder = ROOT / "samples" / name
    lock = (folder / "fleet.lock").read_text()
    return compiled((folder / "fleet.toml").read_text(), lock, folder)


@st.composite
def fleet_text(draw) -> str:
    """A fleet of 1-5 hosts and 0-6 VMs each, VMs of every Linux hypervisor
    microvm.nix has (some newer than the oldest generation: lib/compat.nix)."""
    parts = [
        '[fleet]\nname = "f"\ndomain = "f.example"\n',
        '[networks.lan]\nipv4 = "10.0.0.0/16"\ngateway4 = "10.0.0.1"\nbridge = "br0"\n',
    ]
    kinds = [k for k in microvm_options.hypervisors() if k != "vfkit"]  # macOS
    for h in range(draw(st.integers(1, 5))):
        parts.append(f'[hosts.h{h}]\nuplink = "eno1"\n')
        for v in range(draw(st.integers(0, 6))):
            vm = f'[vms.v{h}x{v}]\nhost = "h{h}"\nmem = {draw(st.sampled_from((512, 1024)))}\n'
            vm += f'hypervisor = "{draw(st.sampled_from(kinds))}"\n'
            vm += 'interfaces = [{ network = "lan" }]\n'
            if draw(st.booleans()):
                vm += (
                    f'shares = [{{ tag = "d", source = "/srv/{v}", mount = "/srv" }}]\n'
                )
            parts.append(vm)
    return "\n".join(parts)


def assert_same_split(result, layout, workers: int, share_from: int) -> None:
    serial = emit(result.fleet, layout)
    assert serial == result.files
    split_files = emit(result.fleet, layout, workers, share_from)
    assert list(split_files.items()) == list(serial.items())  # order too


@settings(max_examples=40, deadline=None)
@given(fleet_text(), st.integers(2, 4), st.integers(1, 3))
def test_random_fleets_split_give_the_serial_files(text, workers, share_from):
    result, layout = compiled(text)
    assert_same_split(result, layout, workers, share_from)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.integers(2, 4), st.integers(1, 2))
def test_samples_split_give_the_serial_files(name, workers, share_from):
    result, layout = sample(name)
    assert_same_split(result, layout, workers, share_from)


# -- split.forked with real children -------------------------------------------------


def squares(share: list[int]) -> dict[str, object]:
    return {"pid": os.getpid(), "squares": [n * n for n in share]}


def test_children_render_their_shares():
    with split.forked(squares, [[1, 2], [3]]) as children:
        found = children.results()
    assert [f["squares"] for f in found] == [[1, 4], [9]]
    assert all(f["pid"] != os.getpid() for f in found)  # rendered in the children


def parent_only(parent: int, render):
    """render in this process; a child that would render dies as `render` asks."""

    def rendering(share):
        return render(share) if os.getpid() != parent else squares(share)

    return rendering


def killed(share):
    os.kill(os.getpid(), signal.SIGKILL)


def unsendable(share):
    return {"lock": threading.Lock()}  # marshal cannot carry it


def raising(share):
    raise KeyboardInterrupt  # as Ctrl-C would in the child


@pytest.mark.parametrize("failing", [killed, unsendable, raising])
def test_a_failed_child_s_share_is_rendered_here(failing, capfd):
    """Each share's result as if rendered in one process; the child prints nothing."""
    render = parent_only(os.getpid(), failing)
    with split.forked(render, [[1, 2], [3]]) as children:
        found = children.results()
    assert [f["squares"] for f in found] == [[1, 4], [9]]
    assert all(f["pid"] == os.getpid() for f in found)
    assert all(child.status not in (None, 0) for child in children.children)
    assert capfd.readouterr() == ("", "")


def test_leaving_early_kills_and_reaps_the_children():
    """Ctrl-C in this process while children render: none is left running,
    nor a zombie (waitpid finds none of them), and the wait is not theirs."""
    slow = parent_only(os.getpid(), lambda share: time.sleep(60))
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with split.forked(slow, [[1], [2]]) as children:
            pids = [child.pid for child in children.children]
            raise KeyboardInterrupt
    assert time.monotonic() - start < 30
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_no_fork_while_another_thread_runs():
    """A fork copies only the calling thread (a lock another holds stays
    held in the child): the shares are rendered here."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with split.forked(squares, [[1], [2]]) as children:
            found = children.results()
    finally:
        stop.set()
        other.join()
    assert all(child.pid is None for child in children.children)
    assert [f["pid"] for f in found] == [os.getpid()] * 2
