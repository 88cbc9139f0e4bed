"""What the hostile-repository test plants in a repository (tests/support/hostile.py).

Each plant is one kind of attack on a fresh copy of a sample fleet
(hostile_repo.Site): fleetc's own bookkeeping files with hostile content,
links leading to the sentinel outside the repository, special files where
fleetc reads, hostile names in fleet.lock and the fleet file, leftover
staging directories, two fleets sharing one output, private files, a planted
result cache. A plant draws its details from the `random.Random` it is given,
says what it did (`site.planted`), and may leave work for after the
repository is indexed (`Late`: a file git must not hash, like a 4 GiB one).
Every target outside the repository is inside the sentinel directory.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Callable

from tests.support.hostile_kit import (
    BOOKKEEPING,
    DEEP,
    HOSTILE_NAMES,
    HUGE,
    JOURNAL,
    JOURNAL_TEMP,
    MANIFEST,
    PENDING,
    Late,
    link,
    module_files,
    outside_path,
    put,
    regular_bytes,
    replace,
    sha256,
    some,
    sparse,
)
from tests.support.hostile_names import (
    cache_entry,
    fleet_names,
    lock_retired_names,
    lock_vm_names,
    module_outside,
    staging_leftover,
    two_fleets,
)
from tests.support.hostile_repo import Site, track

# -- fleetc's bookkeeping in the output directory ---------------------------------


def pending_outside(site: Site, rng: random.Random) -> None:
    out = site.out_dir
    temps = [
        outside_path(site, rng, "secret.txt", out),
        "../" + site.fleet,
        "vms/web.nix",
        ".flake.nix.fleetc-new",
        "../.git/config",
    ]
    dirs = [outside_path(site, rng, "dir/deep", out), "../modules", "vms", "/"]
    chosen = {"temps": some(rng, temps), "dirs": some(rng, dirs)}
    put(out / PENDING, json.dumps(chosen))
    site.planted(f"pending list {chosen}")


def journal_outside(site: Site, rng: random.Random) -> None:
    out = site.out_dir
    put(out / ".x.fleetc-new", "planted\n")
    fleet = regular_bytes(site.repo / site.fleet) or b""
    secret = (site.outside / "secret.txt").read_bytes()
    renames = [
        [".x.fleetc-new", outside_path(site, rng, "secret.txt", out)],
        [".x.fleetc-new", "../" + site.fleet],
        [outside_path(site, rng, "secret.txt", out), "stolen.txt"],
        [".x.fleetc-new", "vms/web.nix"],
    ]
    unlinks = [
        ["../" + site.fleet, sha256(fleet)],
        [outside_path(site, rng, "secret.txt", out), sha256(secret)],
        ["flake.nix", sha256(regular_bytes(out / "flake.nix") or b"")],
    ]
    prune = [outside_path(site, rng, "dir/deep", out), "../modules", "vms", ".."]
    journal = {
        "renames": some(rng, renames),
        "unlinks": some(rng, unlinks),
        "prune": some(rng, prune),
    }
    name = rng.choice([JOURNAL, JOURNAL, JOURNAL_TEMP])
    put(out / name, json.dumps(journal))
    site.planted(f"{name} {journal}")


def bookkeeping_nested(site: Site, rng: random.Random) -> None:
    name = rng.choice(BOOKKEEPING)
    opener = rng.choice(["[", '{"a":'])
    put(site.out_dir / name, opener * DEEP)
    site.planted(f"{name}: {opener!r} x {DEEP}")


def bookkeeping_huge(site: Site, rng: random.Random) -> Late:
    name = rng.choice(BOOKKEEPING)

    def late() -> None:
        sparse(site.out_dir / name, HUGE)

    site.planted(f"{name}: {HUGE} bytes (sparse)")
    return late


WRONG_TYPES = (
    {"temps": "abc", "dirs": 5},
    {"temps": [1, None, ["x"]], "dirs": [{"a": 1}]},
    {"renames": [[1, 2]], "unlinks": [["x"]], "prune": "vms"},
    {"renames": [["a", "b", "c"]], "unlinks": [[None, None]], "prune": [7]},
    {"renames": {"a": "b"}, "unlinks": {}, "prune": None},
    [],
    None,
    "text",
    1e400,
    {"generator": "fleetc", "files": {"vms/web.nix": 5}},
    {"generator": "fleetc", "files": ["vms/web.nix"]},
)


def bookkeeping_types(site: Site, rng: random.Random) -> None:
    name = rng.choice(BOOKKEEPING)
    document = rng.choice(WRONG_TYPES)
    put(site.out_dir / name, json.dumps(document))
    site.planted(f"{name}: {document!r}")


def bookkeeping_names(site: Site, rng: random.Random) -> None:
    """Hostile names (NUL, `..`, absolute, control characters) in every field."""
    names = [rng.choice(HOSTILE_NAMES) for _ in range(3)]
    name = rng.choice(BOOKKEEPING)
    documents = {
        PENDING: {"temps": names, "dirs": names},
        MANIFEST: {"generator": "fleetc", "files": {n: "0" * 64 for n in names}},
    }
    other = {
        "renames": [[n, n] for n in names],
        "unlinks": [[n, "0" * 64] for n in names],
    }
    document = documents.get(name, other | {"prune": names})
    put(site.out_dir / name, json.dumps(document))
    site.planted(f"{name}: {document!r}")


def bookkeeping_special(site: Site, rng: random.Random) -> None:
    name = rng.choice(BOOKKEEPING)
    kind = special(site, rng, site.out_dir / name, "fleet.lock")
    site.planted(f"{name}: {kind}")


def special(site: Site, rng: random.Random, path: Path, outside_name: str) -> str:
    """A FIFO, a link to the sentinel or /dev/zero, or a directory at `path`."""
    kind = rng.choice(["fifo", "outside", "dev-zero", "directory", "loop"])
    replace(path)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "outside":
        path.symlink_to(outside_path(site, rng, outside_name, path.parent))
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
        (path / "inside").write_text("a directory where a file belongs\n")
    else:
        path.symlink_to(path.name)
    return kind


# -- links out of the repository, special files where fleetc reads ----------------


def special_input(site: Site, rng: random.Random) -> Late | None:
    """fleet.lock, the twin, a module, the fleet file itself or the
    .gitattributes setup-git reads: not a file."""
    places = [(site.lock().name, "fleet.lock"), (site.fleet, "fleet.toml")]
    places.append((".gitattributes", "secret.txt"))
    places += [(name, "secret.nix") for name in module_files(site)]
    if site.twin:
        places.append((site.twin, "secret.txt"))
    name, outside_name = rng.choice(places)
    if name != ".gitattributes":
        kind = special(site, rng, site.repo / name, outside_name)
        site.planted(f"{name}: {kind}")
        return None

    def late() -> None:  # git itself reads .gitattributes (a FIFO would block it)
        kind = special(site, rng, site.repo / name, outside_name)
        site.planted(f"{name}: {kind}")

    return late


def link_dir_outside(site: Site, rng: random.Random) -> None:
    """A directory of the repository or of the tree a link to the sentinel's."""
    name = rng.choice(["modules", "hosts", "vms", "generated/vms", "generated/hosts"])
    path = site.repo / name
    target = outside_path(site, rng, path.name, path.parent)
    link(path, target)
    site.planted(f"{name} -> {target}")


def link_tree_file(site: Site, rng: random.Random) -> None:
    """A file of the generated tree (flake.lock included) a link outside."""
    choices = {
        "flake.lock": "flake.lock",
        "flake.nix": "secret.nix",
        "vms/web.nix": "vms/web.nix",
        "hosts/server1.nix": "hosts/server1.nix",
    }
    name = rng.choice(sorted(choices))
    path = site.out_dir / name
    target = outside_path(site, rng, choices[name], path.parent)
    link(path, target)
    site.planted(f"{site.output}/{name} -> {target}")


def tracked_then_linked(site: Site, rng: random.Random) -> None:
    """A tracked directory (or file) replaced in the work tree by a link out."""
    (site.repo / "extra").mkdir()
    (site.repo / "extra" / "notes.txt").write_text("tracked notes\n")
    (site.repo / "notes.txt").write_text("tracked notes\n")
    track(site)
    name = rng.choice(["extra", "notes.txt"])
    target = "dir" if name == "extra" else "secret.txt"
    link(site.repo / name, outside_path(site, rng, target, site.repo))
    site.planted(f"tracked {name}, then a link to the sentinel's {target}")


def private_files(site: Site, rng: random.Random) -> None:
    """Files only their owner can read (or in a directory only its owner can)."""
    secret = f"{site.private_marker}\n"
    (site.repo / "private").mkdir(mode=0o700)
    (site.repo / "private").chmod(0o700)
    (site.repo / "private" / "notes.txt").write_text(secret)
    (site.repo / "private" / "notes.txt").chmod(0o644)
    (site.repo / "key.pem").write_text(secret)
    (site.repo / "key.pem").chmod(0o600)
    site.planted("private/ 0700 holding a 0644 file; key.pem 0600")


PLANTS: dict[str, Callable[[Site, random.Random], Late | None]] = {
    "pending_outside": pending_outside,
    "journal_outside": journal_outside,
    "bookkeeping_nested": bookkeeping_nested,
    "bookkeeping_huge": bookkeeping_huge,
    "bookkeeping_types": bookkeeping_types,
    "bookkeeping_names": bookkeeping_names,
    "bookkeeping_special": bookkeeping_special,
    "special_input": special_input,
    "link_dir_outside": link_dir_outside,
    "link_tree_file": link_tree_file,
    "tracked_then_linked": tracked_then_linked,
    "private_files": private_files,
    "lock_retired_names": lock_retired_names,
    "lock_vm_names": lock_vm_names,
    "fleet_names": fleet_names,
    "module_outside": module_outside,
    "staging_leftover": staging_leftover,
    "two_fleets": two_fleets,
    "cache_entry": cache_entry,
}


def plant(site: Site, rng: random.Random) -> None:
    """One to four plants; the repository indexed (usually) after them."""
    late = []
    for name in rng.sample(sorted(PLANTS), rng.randint(1, 4)):
        done = PLANTS[name](site, rng)
        site.planted_by.append(PLANTS[name])
        if done is not None:
            late.append(done)
    if rng.random() < 0.8:
        track(site)
    for work in late:
        work()
