"""The fleetc executable splits a large fleet's emit over the CPUs it may
use (emit/split.py), and the tree is the one a single CPU writes.

Whole processes under strace: a forked worker is the one process of the run
that never calls execve (git's children do; fleetc itself was exec'd).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fleetc.emit import SHARE_FROM
from tests.support.writer_layouts import FLEETC

VMS = 2 * SHARE_FROM  # the smallest fleet split in two


def fleet_toml(vms: int) -> str:
    """bench/fleet.py's fleet: 10 VMs a host on one bridge network."""
    parts = ['[fleet]\nname = "big"\ndomain = "big.example"\n']
    parts.append('[networks.lan]\nipv4 = "10.0.0.0/16"\ngateway4 = "10.0.0.1"\n')
    for h in range(vms // 10):
        parts.append(f'[hosts.h{h}]\nuplink = "eno1"\n')
        for v in range(10):
            vm = f'[vms.vm{h}x{v}]\nhost = "h{h}"\ninterfaces = [{{ network = "lan" }}]\n'
            parts.append(vm)
    return "\n".join(parts)


def traced(repo: Path, cpus: str, *args: str) -> tuple[int, int]:
    """(fleetc's exit code, how many of its processes never exec'd) for one
    run of fleetc on the CPUs listed (taskset -c)."""
    logs = repo.parent / f"trace-{cpus}-{len(list(repo.parent.iterdir()))}"
    logs.mkdir()
    argv = ["taskset", "-c", cpus, "strace", "-qq", "-ff", "-e", "trace=execve"]
    argv += ["-o", str(logs / "t"), str(FLEETC), *args, "fleet.toml"]
    done = subprocess.run(argv, cwd=repo, capture_output=True, check=False)
    forks = [f for f in logs.iterdir() if "execve(" not in f.read_text()]
    return done.returncode, len(forks)


TWO_CPUS = ",".join(str(cpu) for cpu in sorted(os.sched_getaffinity(0))[:2])
two_cpus = pytest.mark.skipif("," not in TWO_CPUS, reason="one CPU to run on")


@two_cpus
def test_a_smaller_fleet_forks_nothing(tmp_path):
    """300 VMs, the bench's: a fork would cost what it saves (docs/speed.md)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "fleet.toml").write_text(fleet_toml(300))
    assert traced(repo, TWO_CPUS, "generate") == (0, 0)


@two_cpus
def test_a_large_fleet_is_emitted_on_two_cpus_alike(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "fleet.toml").write_text(fleet_toml(VMS))
    one = TWO_CPUS.split(",")[0]
    assert traced(repo, one, "generate") == (0, 0)  # one CPU: no fork
    assert traced(repo, TWO_CPUS, "generate", "--check") == (0, 1)  # up to date
