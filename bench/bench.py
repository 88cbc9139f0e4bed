"""Benchmark: a 10,000-VM fleet on 1,000 hosts through every pass (`make bench`).

Speed is measured here, never in unit tests. Each pass is timed on its own,
best of N runs, so a slow pass shows up by name.
"""

from __future__ import annotations

import argparse
import time
from pathlib import PurePosixPath

from fleetc import checks, emit, frontend
from fleetc.core import pipeline
from fleetc.allocate import allocate
from fleetc.lock.lockfile import Lock, parse_lock, render_lock
from fleetc.core.source import Source


def fleet_toml(hosts: int, vms_per_host: int) -> str:
    """A /16 bridge network (a /14 past 60,000 VMs); VMs leave out everything
    fleetc can allocate."""
    prefix = 16 if hosts * vms_per_host <= 60_000 else 14
    parts = [
        '[fleet]\nname = "bench"\ndomain = "bench.example"\n',
        f'[networks.lan]\nipv4 = "10.0.0.0/{prefix}"\ngateway4 = "10.0.0.1"\nbridge = "br0"\n',
    ]
    for h in range(hosts):
        parts.append(f'[hosts.h{h}]\nuplink = "eno1"\n')
        for v in range(vms_per_host):
            parts.append(
                f'[vms.vm{h}x{v}]\nhost = "h{h}"\nmem = 1024\n'
                'interfaces = [{ network = "lan" }]\n'
                f'shares = [{{ tag = "data", source = "/srv/vm{h}x{v}", mount = "/srv" }}]\n'
            )
    return "\n".join(parts)


def best(runs: int, work):
    """The fastest run, each with the garbage collector paused as `compile` does."""
    times, value = [], None
    for _ in range(runs):
        with pipeline.collector_paused():
            start = time.perf_counter()
            value = work()
            times.append(time.perf_counter() - start)
    return min(times), value


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--hosts", type=int, default=1000)
    options.add_argument("--vms-per-host", type=int, default=10)
    options.add_argument("--runs", type=int, default=3)
    args = options.parse_args()
    source = Source("fleet.toml", fleet_toml(args.hosts, args.vms_per_host))
    placement = pipeline.Placement(PurePosixPath("/bench"))
    print(
        f"{args.hosts} hosts, {args.hosts * args.vms_per_host} VMs, "
        f"{len(source.text) / 1e6:.1f} MB of TOML; best of {args.runs}"
    )
    timings = {}
    timings["frontend"], (fleet, _) = best(args.runs, lambda: frontend.load(source))
    timings["checks"], _ = best(args.runs, lambda: checks.run(fleet))
    step = best(args.runs, lambda: allocate(fleet, Lock(), bytes))
    timings["allocate"], (filled, lock, _) = step
    text = render_lock(lock, "fleet.toml")
    timings["lock render"], _ = best(args.runs, lambda: render_lock(lock, "fleet.toml"))
    timings["lock parse"], _ = best(
        args.runs, lambda: parse_lock(Source("fleet.lock", text))
    )
    layout = pipeline.layout(source, placement, placement.output_dir(filled))
    timings["emit"], files = best(args.runs, lambda: emit.emit(filled, layout))
    timings["compile (all)"], first = best(
        1, lambda: pipeline.compile(source, placement)
    )
    # The steady state of the CLI: the fleet.lock of an earlier run is read back.
    old_lock = Source("fleet.lock", first.lock_text)
    timings["compile+lock"], _ = best(
        1, lambda: pipeline.compile(source, placement, lock=old_lock)
    )
    for name, seconds in timings.items():
        print(f"  {name:<14} {seconds:7.3f} s")
    print(f"  {len(files)} files, {sum(map(len, files.values())) / 1e6:.1f} MB of Nix")


if __name__ == "__main__":
    main()
