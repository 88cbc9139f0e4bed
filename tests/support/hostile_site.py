"""What the hostile-repository tests share (tests/e2e/test_hostile*.py): a
copy of samples/basic as after one `generate`, in git, beside the sentinel;
one audited fleetc run in it; the diagnostics a run located in a file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.support import hostile
from tests.support import hostile_audit as audit
from tests.support.hostile_repo import Site, make_site


def basic_site(where: Path) -> Site:
    """samples/basic with its tree and lock, in git; the sentinel beside it."""
    made = make_site(where, "basic", "fleet.toml", True, seed=18)
    hostile.settle(made)
    return made


def fleetc(site: Site, *argv: str, closed: bool = False):
    """(what went wrong, the run) for one audited `fleetc ARGV` in the repository."""
    return hostile.audit_one(site, list(argv), closed, timeout=60)


def located(run: audit.Run, name: str) -> list[dict]:
    """The diagnostics of a --format json run located in the file `name`."""
    return [
        d
        for d in run.json()["diagnostics"]
        if d["location"] and Path(d["location"]["file"]).name == name
    ]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edited_lock(site: Site, record: str) -> None:
    """fleet.lock with `record` added, its last line `# sha256: edited`."""
    lock = site.lock()
    body = "".join(
        line
        for line in lock.read_text().splitlines(keepends=True)
        if not line.startswith("# sha256:")
    )
    lock.write_text(body + record + "# sha256: edited\n")


def retire(site: Site, vm_key: str) -> None:
    """A retirement record for `vm_key` (a TOML key) on server1."""
    record = f'\n[retired.{vm_key}.server1]\nmachine_id = "{"ab" * 16}"\n'
    edited_lock(site, record + 'taps = ["vm-old"]\n')
    (site.repo / "fleet.fleet").unlink()  # the twin would disagree (F035)


def delete_state(site: Site, names: str) -> None:
    fleet = site.repo / site.fleet
    text = fleet.read_text().replace(
        'state_dir = "/var/lib/microvms"\n',
        f'state_dir = "/var/lib/microvms"\ndelete_state = [{names}]\n',
    )
    fleet.write_text(text)
