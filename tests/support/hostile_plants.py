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

import hashlib
import json
import os
import random
import re
import shutil
import stat
from pathlib import Path
from typing import Callable

from tests.support.hostile_repo import Site, git, track

MANIFEST = ".fleetc-manifest.json"
PENDING = ".fleetc-pending.json"
JOURNAL = ".fleetc-journal.json"
JOURNAL_TEMP = ".fleetc-journal.fleetc-new"
BOOKKEEPING = (MANIFEST, PENDING, JOURNAL, JOURNAL_TEMP)
# Larger than any bound a reader may set, and than the child's address space.
HUGE = 4 << 30
DEEP = 100_000
HOSTILE_NAMES = (
    "../../etc",
    "../../outside/pwn",
    "a/b",
    "..",
    ".",
    "",
    "-rf",
    "--help",
    "x\u0000y",
    "x\ny",
    "a" * 300,
    "web$(touch pwned)",
    "é",
)
Late = Callable[[], None]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outside_path(site: Site, rng: random.Random, name: str, start: Path) -> str:
    """A path to `name` in the sentinel: absolute, or relative from `start`."""
    target = site.outside / name
    if rng.random() < 0.5:
        return str(target)
    return os.path.relpath(target, start)


def replace(path: Path) -> None:
    """Make room at `path` for a plant (a file, link or directory there goes)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)


def put(path: Path, text: str) -> None:
    """A fresh file at `path`: never written through a link or into a FIFO
    another plant left there."""
    replace(path)
    path.write_text(text)


def link(path: Path, target: str) -> None:
    replace(path)
    path.symlink_to(target)


def regular_bytes(path: Path) -> bytes | None:
    """A regular file's bytes; None once a plant made it something else (a
    FIFO would block the test itself)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except FileNotFoundError:
        return None
    return path.read_bytes()


def fleet_text(site: Site) -> str | None:
    data = regular_bytes(site.repo / site.fleet)
    return None if data is None else data.decode()


def module_files(site: Site) -> list[str]:
    """The module files the sample's fleet names (relative to the repository)."""
    text = fleet_text(site) or ""
    found = re.findall(r'"((?:modules|hosts|vms)/[\w./-]+\.nix)"', text)
    found += re.findall(r"module \./((?:modules|hosts|vms)/[\w./-]+\.nix)", text)
    return sorted(set(found)) or ["modules/common.nix"]


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
    chosen = {"temps": _some(rng, temps), "dirs": _some(rng, dirs)}
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
        "renames": _some(rng, renames),
        "unlinks": _some(rng, unlinks),
        "prune": _some(rng, prune),
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


def sparse(path: Path, size: int) -> None:
    replace(path)
    with open(path, "wb") as handle:
        handle.truncate(size)


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


def special_input(site: Site, rng: random.Random) -> None:
    """fleet.lock, the twin, a module or the fleet file itself: not a file."""
    places = [(site.lock().name, "fleet.lock"), (site.fleet, "fleet.toml")]
    places += [(name, "secret.nix") for name in module_files(site)]
    if site.twin:
        places.append((site.twin, "secret.txt"))
    name, outside_name = rng.choice(places)
    kind = special(site, rng, site.repo / name, outside_name)
    site.planted(f"{name}: {kind}")


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


# -- hostile names ---------------------------------------------------------------------


def toml_string(name: str) -> str:
    """A TOML basic string (json's escapes are TOML's)."""
    return json.dumps(name)


def edited_lock(site: Site, extra: str) -> None:
    """fleet.lock with `extra` appended, read as edited (`# sha256: edited`)."""
    lock = regular_bytes(site.lock())
    if lock is None:
        return
    lines = lock.decode().splitlines(keepends=True)
    body = "".join(line for line in lines if not line.startswith("# sha256:"))
    site.lock().write_text(body + extra + "# sha256: edited\n")


def lock_retired_names(site: Site, rng: random.Random) -> None:
    # "old": a valid name, so that a real deletion is emitted (and judged).
    vm = rng.choice(["old", "old", *HOSTILE_NAMES])
    host = rng.choice(["server1", *HOSTILE_NAMES])
    renamed = rng.choice(
        ["", f"renamed_to = {toml_string(rng.choice(HOSTILE_NAMES))}\n"]
    )
    taps = toml_string(rng.choice(["vm-old", *HOSTILE_NAMES]))
    record = f"\n[retired.{toml_string(vm)}.{toml_string(host)}]\n"
    record += f'machine_id = "{"ab" * 16}"\n{renamed}taps = [{taps}]\n'
    edited_lock(site, record)
    delete = rng.random() < 0.7 and delete_state(site, vm)
    site.planted(f"retired {vm!r} on {host!r}" + (" (delete_state)" if delete else ""))


def delete_state(site: Site, name: str) -> bool:
    path, text = site.repo / site.fleet, fleet_text(site)
    if text is None:
        return False
    if site.fleet.endswith(".toml"):
        line = f"delete_state = [{toml_string(name)}]\n"
        text = re.sub(r"(?m)^(state_dir = .*\n)", lambda m: m.group(1) + line, text)
    else:
        line = f"  delete-state {json.dumps(name)}\n"
        text = re.sub(r"(?m)^(  state-dir .*\n)", lambda m: m.group(1) + line, text)
    path.write_text(text)
    return True


def lock_vm_names(site: Site, rng: random.Random) -> None:
    name = rng.choice(HOSTILE_NAMES)
    entry = (
        f'\n[vms.{toml_string(name)}]\nhost = "server1"\nmachine_id = "{"cd" * 16}"\n'
    )
    edited_lock(site, entry)
    site.planted(f"fleet.lock names VM {name!r}")


def fleet_names(site: Site, rng: random.Random) -> None:
    """A VM or host of the fleet file named with `..`, `/`, NUL, a dash."""
    path, text = site.repo / site.fleet, fleet_text(site)
    if not site.fleet.endswith(".toml") or text is None:
        return
    name = rng.choice(HOSTILE_NAMES)
    if rng.random() < 0.5:
        text = re.sub(r"\bvms\.web\b", lambda _: f"vms.{toml_string(name)}", text)
    else:
        key = f"hosts.{toml_string(name)}"
        text = re.sub(r"\bhosts\.server1\b", lambda _: key, text)
        text = text.replace('host = "server1"', f"host = {toml_string(name)}")
    path.write_text(text)
    site.planted(f"fleet file names {name!r}")


def module_outside(site: Site, rng: random.Random) -> None:
    """The fleet names a module file outside the repository."""
    path, text = site.repo / site.fleet, fleet_text(site)
    if text is None:
        return
    target = outside_path(site, rng, "secret.nix", site.repo)
    module = module_files(site)[0]
    text = text.replace(module, target)
    path.write_text(text)
    site.planted(f"module {module} named as {target}")


# -- leftovers, two fleets, a result cache -----------------------------------------


def staging_leftover(site: Site, rng: random.Random) -> None:
    """What fleetc before the journal left when killed, or what looks like it."""
    pid = rng.choice([999_999, 4_000_000, 1, 2**31 - 1])
    parent, name = site.out_dir.parent, site.out_dir.name
    kind = rng.choice(["tree", "old-link", "lock-temp"])
    if kind == "tree":
        leftover = parent / f".{name}.fleetc-{pid}"
        leftover.mkdir()
        manifest = regular_bytes(site.out_dir / MANIFEST) or b"{}"
        (leftover / MANIFEST).write_bytes(manifest)
        (leftover / "flake.nix").write_text("# a committed file\n")
    elif kind == "old-link":
        leftover = parent / f".{name}.fleetc-{pid}.old"
        leftover.symlink_to(outside_path(site, rng, "dir", parent))
    else:
        leftover = site.lock().parent / f".{site.lock().name}.fleetc-{pid}"
        leftover.write_text("a committed file\n")
    site.planted(f"leftover {leftover.relative_to(site.repo)}")


def two_fleets(site: Site, rng: random.Random) -> None:
    """A second fleet beside the first, with the same (default) output."""
    suffix = Path(site.fleet).suffix
    other = f"other{suffix}"
    text = fleet_text(site)
    if text is None:
        return
    text = re.sub(r'(?m)^name = "example"', 'name = "other"', text)
    text = re.sub(r"(?m)^fleet example \{", "fleet other {", text)
    (site.repo / other).write_text(text)
    lock = regular_bytes(site.lock())
    if lock is not None:
        (site.repo / "other.lock").write_bytes(lock)
    site.others.append(other)
    site.planted(f"{other} beside {site.fleet}, both writing {site.output}/")


def cache_entry(site: Site, rng: random.Random) -> None:
    """Entries where a result cache would be (fleetc has none: never read)."""
    cache = site.home / ".cache" / "fleetc"
    cache.mkdir(parents=True)
    cache.chmod(rng.choice([0o700, 0o777]))
    entry = {"exit": 0, "stdout": "", "stderr": "fleetc: up to date\n", "facts": []}
    for index in range(3):
        (cache / f"{index:064x}.json").write_text(json.dumps(entry))
    (cache / "crafted").write_text("[" * DEEP)
    site.planted(f"a result cache in {cache.relative_to(site.base)}")


def _some(rng: random.Random, items: list) -> list:
    return rng.sample(items, rng.randint(1, len(items)))


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


__all__ = ["PLANTS", "plant", "git"]
