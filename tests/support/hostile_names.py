"""Plants of the hostile-repository test (hostile_plants.py) that are not
files fleetc keeps: hostile names in fleet.lock and the fleet file, a module
outside the repository, leftovers of a killed older fleetc, a second fleet
on the same output, a planted result cache."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from tests.support.hostile_kit import (
    DEEP,
    HOSTILE_NAMES,
    MANIFEST,
    fleet_text,
    module_files,
    outside_path,
    regular_bytes,
)
from tests.support.hostile_repo import Site

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
