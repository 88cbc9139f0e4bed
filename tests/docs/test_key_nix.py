"""What the key reference says a key produces ("vms/<vm>.nix: `microvm.mem`",
frontend/key_nix.py, written by hand) is where the emitters put it: for each
note naming a file and an attribute, some generated file of that name holds
the attribute's last part. The trees are the reviewed goldens (every sample
and end-to-end case) and one small fleet setting the keys no golden sets.
When the tree changes shape (lib/every-vm.nix took the store share and
nixPath from each VM file), a note left behind fails here."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.frontend.key_nix import PRODUCES
from tests.support.paths import ROOT, SAMPLES

# "hosts/<host>.nix and lib/every-vm.nix: `networking.domain`"
NOTE = re.compile(
    r"^([\w/<>.-]+\.(?:nix|sh)(?: and [\w/<>.-]+\.(?:nix|sh))?): `([^`]+)`"
)

# The keys no golden sets, each set here.
UNSEEN = """\
[fleet]
name = "unseen"
state_dir = "/srv/microvms"
microvm_disk_group = true

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"

[hosts.server1]
uplink = "eno1"

[vms.web]
host = "server1"
interfaces = [{ network = "lan" }]
"""


def claims() -> list[tuple[str, str, str, str]]:
    """(section, key, file pattern, token) for every checkable note."""
    found = []
    for section, notes in PRODUCES.items():
        for key, note in notes.items():
            for part in note.split(";"):
                found += claims_of(section, key, part.strip())
    return found


def claims_of(section: str, key: str, part: str) -> list[tuple[str, str, str, str]]:
    match = NOTE.match(part)
    if not match:
        return []
    token = last_segment(match.group(2))
    if not token:
        return []
    names = match.group(1).split(" and ")
    return [(section, key, re.sub(r"<\w+>", "*", name), token) for name in names]


def last_segment(attribute: str) -> str:
    """`inputs.<name>.inputs.nixpkgs.follows = "nixpkgs"` -> follows."""
    path = attribute.split(" = ")[0]
    plain = [s for s in re.split(r"[.\s]", path) if re.fullmatch(r'[\w"-]+', s)]
    return plain[-1].strip('"') if plain else ""


def texts_under(root: Path) -> list[tuple[str, str]]:
    return [
        (path.relative_to(root).as_posix(), path.read_text(errors="replace"))
        for path in sorted(root.rglob("*"))
        if path.is_file()
    ]


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> list[tuple[str, str]]:
    unseen = tmp_path_factory.mktemp("unseen")
    (unseen / "fleet.toml").write_text(UNSEEN)
    fleetc = [sys.executable, "-m", "fleetc", "generate", "fleet.toml"]
    subprocess.run(fleetc, cwd=unseen, check=True, capture_output=True)
    roots = [*SAMPLES.glob("*/generated"), *(ROOT / "tests/cases").glob("*/expected")]
    return [
        entry for root in [*roots, unseen / "generated"] for entry in texts_under(root)
    ]


def test_notes_are_read_from_the_table():
    assert len(claims()) > 60
    assert ("[vms.<name>]", "mem", "vms/*.nix", "mem") in claims()


@pytest.mark.parametrize("section, key, pattern, token", claims())
def test_each_note_is_where_the_tree_puts_it(trees, section, key, pattern, token):
    holders = [n for n, text in trees if fnmatch.fnmatch(n, pattern) and token in text]
    assert holders, f"{section} {key}: no generated {pattern} holds {token!r}"
