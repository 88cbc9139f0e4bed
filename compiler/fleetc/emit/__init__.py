"""Emitters render a checked model into files: relative path -> text.

The model has passed every check and every value is filled in (allocation ran),
so nothing here validates (but for the retire unit's `rm -rf`, whose name is
checked a second time). Python decides the content; templates only lay it out.

May import: core, lock. Never: output, nixbuild, review, cli (tests/test_layers.py).
"""

from __future__ import annotations

from functools import partial

from ..core.model import Fleet
from .addresses import addresses_file
from .common import by_name
from .compat import compat_files
from .deploy import deploy_files
from .flake import PATH as FLAKE
from .flake import flake_file
from .guards import newer_hypervisor
from .guest import every_vm_files, vm_file
from .host import host_file
from .meta import meta_files
from .outputs import PATH as OUTPUTS
from .outputs import outputs_file
from .overlays import overlays_files
from .roots import PATH as ROOTS
from .roots import roots_file
from .split import forked

# The fewest VMs a share of the tree has when emitting is split over cores:
# below that, forking and sending the files back cost about what they save
# (docs/speed.md, "Emitting on two cores").
SHARE_FROM = 1000
# Measured on 2 cores only: each child copies what it touches of this
# process's memory (the fleet model), for an ever smaller share.
MOST_SHARES = 4


def emit(
    fleet: Fleet, layout, workers: int = 1, share_from: int = SHARE_FROM
) -> dict[str, str]:
    """The tree: relative path -> text; with `workers` > 1 and a fleet large
    enough, each share of its hosts and VMs in a process of its own
    (split.py), the same files in the same order as one process writes."""
    count = max(1, min(workers, MOST_SHARES, len(fleet.vms) // max(1, share_from)))
    render = partial(machines, fleet, layout)
    own, *others = shares(fleet, count)
    with forked(render, others) as children:
        files = fleet_files(fleet, layout)  # while the children render theirs
        rendered = [render(own)] + children.results()
    return files | joined(fleet, layout, rendered)


def joined(fleet: Fleet, layout, rendered: list) -> dict[str, str]:
    """The shares' files in the order one process writes them: the hosts',
    lib/every-vm.nix, the VMs', lib/compat.nix (listing every share's options)."""
    newer: set[str] = set().union(*(found[2] for found in rendered))
    files = {}
    for host_files, _, _ in rendered:
        files |= host_files
    files |= every_vm_files(fleet, layout, newer)
    for _, vm_files, _ in rendered:
        files |= vm_files
    uses = newer or any(newer_hypervisor(vm.hypervisor) for vm in fleet.vms)
    return files | compat_files(newer, layout, bool(uses))


def shares(fleet: Fleet, count: int) -> list[tuple[list, list]]:
    """The hosts and VMs by name, cut in `count` runs of consecutive names."""
    hosts, vms = by_name(fleet.hosts), by_name(fleet.vms)
    return [(cut(hosts, count, n), cut(vms, count, n)) for n in range(count)]


def cut(items: list, count: int, n: int) -> list:
    return items[len(items) * n // count : len(items) * (n + 1) // count]


def machines(fleet: Fleet, layout, share: tuple[list, list]):
    """The files of a share's hosts, of its VMs, and what lib/compat.nix must
    list for them (`newer`): plain dicts and a set, which marshal carries."""
    hosts, vms = share
    newer: set[str] = set()
    host_files = {}
    for host in hosts:
        host_files[f"hosts/{host.name}.nix"] = host_file(fleet, host, layout, newer)
        host_files |= deploy_files(fleet, host, layout)
    vm_files = {f"vms/{vm.name}.nix": vm_file(fleet, vm, layout, newer) for vm in vms}
    return host_files, vm_files, newer


def fleet_files(fleet: Fleet, layout) -> dict[str, str]:
    """The files of the whole fleet, in the tree's order before the hosts'."""
    # Embedded, the repository's own flake.nix calls outputs.nix: none here.
    files = {} if fleet.embed else {FLAKE: flake_file(fleet, layout)}
    files[OUTPUTS] = outputs_file(fleet, layout)
    files["lib/addresses.nix"] = addresses_file(fleet, layout)
    files[ROOTS] = roots_file(layout)
    return files | meta_files(fleet, layout) | overlays_files(fleet, layout)
