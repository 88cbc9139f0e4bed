"""Fleets changed on two branches and merged with real git (issue 21).

A scenario is a base fleet and three edits of it: the current branch's
(`ours`), the merged branch's (`theirs`), and the fleet a person writes with
both changes (`both`: what the merged fleet file holds once its own conflicts,
if any, are resolved). `merged_repo` runs it as a team does: base committed,
one branch each, `git merge`, the fleet file resolved by hand, `fleetc
generate`, `git add -A`, commit. `by_hand` writes the same fleet in a fresh
repository, one change after the other (ours first: the current branch keeps
what both branches drew), for the trees to be compared byte for byte.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.goldens import run_fleetc

from fleetc.core.source import Source
from fleetc.lock.lockfile import Lock, parse_lock

GIT = [
    "git",
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@example.org",
    "-c",
    "init.defaultBranch=main",
    "-c",
    "commit.gpgsign=false",
]
MARKERS = re.compile(r"^(<{7}|={7}|>{7}|\|{7})( |$)", re.MULTILINE)

BASE = """\
[fleet]
name = "team"

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
bridge = "br0"

[hosts.alpha]
uplink = "eno1"
interfaces = [{ network = "lan", ipv4 = "10.0.0.2" }]

[hosts.beta]
uplink = "eno1"
interfaces = [{ network = "lan", ipv4 = "10.0.0.3" }]

[vms.web]
host = "alpha"
vsock = true
mem = 1024
interfaces = [{ network = "lan" }]

[vms.git]
host = "alpha"
vsock = true
interfaces = [{ network = "lan" }]

[vms.db]
host = "beta"
interfaces = [{ network = "lan" }]

# -- VMs added later go below --
"""

CI = '\n[vms.ci]\nhost = "alpha"\nvsock = true\ninterfaces = [{ network = "lan" }]\n'
CACHE = (
    '\n[vms.cache]\nhost = "alpha"\nvsock = true\ninterfaces = [{ network = "lan" }]\n'
)
GIT_VM = '[vms.git]\nhost = "alpha"\n'
MOVED = '[vms.git]\nhost = "beta"\n'
RENAMED = '[vms.forge]\nrenamed_from = "git"\nhost = "alpha"\n'
BOTH = '[vms.forge]\nrenamed_from = "git"\nhost = "beta"\n'


def edit(*pairs: tuple[str, str]):
    def apply(text: str) -> str:
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new, 1)
        return text

    return apply


ADD_CI = edit(("[vms.web]", CI.lstrip("\n") + "\n[vms.web]"))  # near the top
ADD_CACHE = edit(
    ("# -- VMs added later go below --\n", "# -- VMs added later go below --\n" + CACHE)
)


@dataclass(frozen=True)
class Scenario:
    name: str
    ours: object
    theirs: object
    both: object
    base: str = BASE
    # VMs of the merged branch whose values may be drawn again (F820).
    redrawn: tuple[str, ...] = field(default=())


SCENARIOS = [
    Scenario(
        "two-added",
        ADD_CI,
        ADD_CACHE,
        lambda text: ADD_CACHE(ADD_CI(text)),
        redrawn=("cache",),
    ),
    Scenario(
        "moved-renamed",
        edit((GIT_VM, MOVED)),
        edit((GIT_VM, RENAMED)),
        edit((GIT_VM, BOTH)),
    ),
    Scenario(
        "renamed-moved",
        edit((GIT_VM, RENAMED)),
        edit((GIT_VM, MOVED)),
        edit((GIT_VM, BOTH)),
    ),
    Scenario(
        "memory",
        edit(("mem = 1024", "mem = 2048")),
        edit(("mem = 1024", "mem = 4096")),
        edit(("mem = 1024", "mem = 4096")),  # the person merging took theirs
    ),
    Scenario(
        "added-removed",
        ADD_CI,
        edit(('[vms.db]\nhost = "beta"\ninterfaces = [{ network = "lan" }]\n', "")),
        lambda text: ADD_CI(text).replace(
            '[vms.db]\nhost = "beta"\ninterfaces = [{ network = "lan" }]\n', ""
        ),
    ),
]


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*GIT, *args], cwd=repo, capture_output=True, text=True, timeout=300
    )
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def fleetc(repo: Path, *args: str) -> tuple[int, str, str]:
    return run_fleetc(repo, *args)


def generate(repo: Path) -> str:
    status, _, stderr = fleetc(repo, "generate", "fleet.toml")
    assert status == 0, stderr
    return stderr


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def base_repo(path: Path, scenario: Scenario, setup_git: bool) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    (path / "fleet.toml").write_text(scenario.base)
    generate(path)
    if setup_git:
        status, _, stderr = fleetc(path, "setup-git", "fleet.toml")
        assert status == 0, stderr
    commit(path, "base")
    return path


def branch(repo: Path, name: str, change) -> None:
    git(repo, "checkout", "-q", "-b", name, "main")
    fleet = repo / "fleet.toml"
    fleet.write_text(change(fleet.read_text()))
    generate(repo)
    commit(repo, name)


@dataclass
class Merged:
    repo: Path
    merge: subprocess.CompletedProcess
    generated: str  # generate's stderr
    locks: dict[str, Lock]  # base, ours, theirs, merged
    marked: list[str]  # files holding conflict markers after `git merge`


def merged_repo(path: Path, scenario: Scenario, setup_git: bool) -> Merged:
    repo = base_repo(path, scenario, setup_git)
    branch(repo, "theirs", scenario.theirs)
    branch(repo, "ours", scenario.ours)
    locks = {
        side: lock_at(repo, f"{ref}:fleet.lock")
        for side, ref in (("base", "main"), ("ours", "ours"), ("theirs", "theirs"))
    }
    merge = git(repo, "merge", "--no-edit", "theirs", check=False)
    marked = markers_in(repo)
    resolve_fleet_file(repo, scenario)
    generated = generate(repo)
    commit(repo, "merge theirs")
    locks["merged"] = lock_at(repo, "HEAD:fleet.lock")
    return Merged(repo, merge, generated, locks, marked)


def resolve_fleet_file(repo: Path, scenario: Scenario) -> None:
    """What the person merging does with the fleet file: git's clean merge
    must be the fleet with both changes; a conflict is resolved to it."""
    wanted = scenario.both(scenario.base)
    fleet = repo / "fleet.toml"
    if git(repo, "ls-files", "-u", "--", "fleet.toml").stdout:
        fleet.write_text(wanted)
        git(repo, "add", "fleet.toml")
    assert fleet.read_text() == wanted


def by_hand(path: Path, scenario: Scenario) -> Path:
    """The same fleet, written by one person: ours' change, then theirs'."""
    repo = base_repo(path, scenario, setup_git=False)
    fleet = repo / "fleet.toml"
    fleet.write_text(scenario.ours(scenario.base))
    generate(repo)
    fleet.write_text(scenario.both(scenario.base))
    generate(repo)
    commit(repo, "both")
    return repo


def lock_at(repo: Path, spec: str) -> Lock:
    text = git(repo, "show", spec).stdout
    lock, problems = parse_lock(Source("fleet.lock", text))
    assert not problems, problems
    return lock


def tracked(repo: Path) -> dict[str, bytes]:
    """Every file git tracks, as committed (the fleet's own .gitattributes
    aside: only a repository set up with setup-git has one)."""
    names = git(repo, "ls-files", "-z").stdout.split("\0")
    return {
        name: (repo / name).read_bytes()
        for name in names
        if name and name != ".gitattributes"
    }


def markers_in(repo: Path) -> list[str]:
    found = []
    for path in repo.rglob("*"):
        if ".git" in path.relative_to(repo).parts or not path.is_file():
            continue
        if MARKERS.search(path.read_text(errors="replace")):
            found.append(str(path.relative_to(repo)))
    return found


def identities(lock: Lock) -> dict[str, tuple]:
    """Each VM's identity: machine-id, CID, and per network MAC, addresses, tap."""
    return {
        name: (
            vm.machine_id,
            vm.vsock_cid,
            tuple(
                (net, i.mac, i.ipv4, i.ipv6, i.id)
                for net, i in sorted(vm.interfaces.items())
            ),
        )
        for name, vm in lock.vms.items()
    }
