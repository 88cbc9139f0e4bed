"""The committed manifest is untrusted input (issue 14): whatever a pull request
writes into `generated/.fleetc-manifest.json`, no command reads, prints or
removes a file outside the tree, or one reached through a link."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fleetc.output.transaction import MANIFEST, WriteRefused
from fleetc.output.manifest import BadManifest, validate_manifest
from fleetc.nixbuild.staging import generated_on_disk

from tests.support.paths import CASES, SAMPLES

SECRET = "TOPSECRET-4f1c\n"
COMMANDS = [("diff",), ("generate", "--check"), ("generate",)]


@pytest.fixture()
def repo(tmp_path):
    """samples/basic, tree and lock committed, at repo/ops; a secret beside it."""
    root = tmp_path / "repo"
    shutil.copytree(SAMPLES / "basic", root / "ops")
    (root / ".git").mkdir()
    (root / "secret.txt").write_text(SECRET)
    return root


def fleetc(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fleetc", *args],
        cwd=repo / "ops",
        capture_output=True,
        text=True,
        check=False,
    )


def add_entry(repo: Path, name: str) -> None:
    """What a pull request can do: name one more file, with its true hash (so
    that a writer trusting the manifest would remove it)."""
    manifest = repo / "ops" / "generated" / MANIFEST
    document = json.loads(manifest.read_text())
    document["files"][name] = hashlib.sha256(SECRET.encode()).hexdigest()
    manifest.write_text(json.dumps(document, indent=2) + "\n")


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def entry_line(repo: Path, name: str) -> int:
    text = (repo / "ops" / "generated" / MANIFEST).read_text()
    quoted = json.dumps(name)
    return next(n for n, line in enumerate(text.splitlines(), 1) if quoted in line)


OUTSIDE = [
    ("../../secret.txt", "F043"),
    ("vms/../../../secret.txt", "F043"),
    ("ABSOLUTE", "F043"),
    ("./flake.nix", "F043"),
    ("vms//web.nix", "F043"),
    ("vms/", "F043"),
    ("vms/web.nix\n", "F044"),
    ("a\x00b", "F044"),
    ("\udc80", "F044"),
    (".git/HEAD", "F045"),
    (".fleetc-journal.json", "F045"),
    ("flake.lock", "F045"),
    ("vms/.web.nix.fleetc-new", "F045"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("name,code", OUTSIDE, ids=[repr(n) for n, _ in OUTSIDE])
def test_a_manifest_entry_outside_the_tree_is_a_located_refusal(
    repo, command, name, code
):
    name = str(repo / "secret.txt") if name == "ABSOLUTE" else name
    add_entry(repo, name)
    before = snapshot(repo)
    done = fleetc(repo, *command, "fleet.toml")
    assert done.returncode == 1, done.stderr
    assert f"error[{code}]: not a fleetc manifest" in done.stderr
    line = entry_line(repo, name)
    assert f"--> generated/{MANIFEST}:{line}:5" in done.stderr
    assert "TOPSECRET" not in done.stdout + done.stderr
    assert "removed" not in done.stderr and "Traceback" not in done.stderr
    assert snapshot(repo) == before


def test_json_output_locates_the_entry_in_the_manifest(repo):
    add_entry(repo, "/etc/hostname")
    done = fleetc(repo, "diff", "fleet.toml", "--format", "json")
    document = json.loads(done.stdout)
    [diagnostic] = document["diagnostics"]
    assert (done.returncode, diagnostic["code"]) == (1, "F043")
    line = entry_line(repo, "/etc/hostname")
    assert diagnostic["location"] == {
        "file": f"generated/{MANIFEST}",
        "line": line,
        "column": 5,
    }


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_entry_below_a_symlinked_directory_is_refused_not_read(repo, command):
    (repo / "ops" / "generated" / "leak").symlink_to(repo)
    add_entry(repo, "leak/secret.txt")
    done = fleetc(repo, *command, "fleet.toml")
    assert done.returncode == 2 and "error[F040]" in done.stderr
    assert "leak is a symbolic link" in done.stderr
    assert "TOPSECRET" not in done.stdout + done.stderr
    assert (repo / "secret.txt").read_text() == SECRET


@pytest.mark.parametrize("command", COMMANDS[:2], ids=" ".join)
def test_a_committed_symlink_at_a_generated_path_is_not_followed(repo, command):
    """git stores links: a pull request can replace a generated file by one."""
    web = repo / "ops" / "generated" / "vms" / "web.nix"
    web.unlink()
    web.symlink_to(repo / "secret.txt")
    done = fleetc(repo, *command, "fleet.toml")
    assert done.returncode == 2 and "error[F040]" in done.stderr
    assert "TOPSECRET" not in done.stdout + done.stderr


def test_a_manifest_that_is_a_link_is_not_read(repo):
    manifest = repo / "ops" / "generated" / MANIFEST
    manifest.unlink()
    manifest.symlink_to(repo / "secret.txt")
    done = fleetc(repo, "diff", "fleet.toml")
    assert done.returncode == 2 and "error[F040]" in done.stderr
    assert "TOPSECRET" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "data,problem",
    [
        (b"not json", "not JSON"),
        (b"[]", "no `files` object"),
        (b'{"files": {"a.nix": "00"}}', "the hash of `a.nix` is not a sha256"),
        (b'{"files": {"a": "%s", "a": "%s"}}' % (b"0" * 64, b"0" * 64), "twice"),
        (b'{"files": {}}\xff', "not UTF-8"),
        (b'{"files": ' + b"[" * 100000, "nested too deeply"),
    ],
)
def test_a_manifest_that_is_not_fleetcs_is_f042(tmp_path, data, problem):
    with pytest.raises(BadManifest, match="not a fleetc manifest") as raised:
        validate_manifest(tmp_path, data)
    assert raised.value.diagnostic.code == "F042"
    assert problem in raised.value.diagnostic.message


def test_a_name_is_refused_however_json_spells_it(tmp_path):
    """`\\u002e\\u002e` is `..`: the name is judged after decoding, and the
    diagnostic still points at the entry as written."""
    data = b'{"files": {\n  "\\u002e\\u002e/x": "%s"\n}}' % (b"0" * 64)
    with pytest.raises(BadManifest) as raised:
        validate_manifest(tmp_path, data)
    assert raised.value.diagnostic.code == "F043"
    assert raised.value.diagnostic.span.line_col == (2, 3)


def test_build_reads_the_tree_through_the_same_gate(repo):
    """staging.generated_on_disk (what build stages when given no files)."""
    out = repo / "ops" / "generated"
    assert set(generated_on_disk(out)) == {
        "flake.nix",
        "hosts/server1.nix",
        "lib/addresses.nix",
        "lib/compat.nix",
        "lib/every-vm.nix",
        "lib/roots.nix",
        "outputs.nix",
        "vms/web.nix",
    }
    add_entry(repo, "../../secret.txt")
    with pytest.raises(BadManifest):
        generated_on_disk(out)
    (out / MANIFEST).write_text(
        (SAMPLES / "basic" / "generated" / MANIFEST).read_text()
    )
    os.unlink(out / "flake.nix")
    (out / "flake.nix").symlink_to(repo / "secret.txt")
    with pytest.raises(WriteRefused, match="is a symbolic link"):
        generated_on_disk(out)


def generated_with_a_planted_gigabyte(tmp_path) -> tuple[list[str], Path]:
    """A minimal fleet generated in a repository, then a gigabyte (sparse: no
    disk) planted where its VM's module is: the `generate` command line, and
    the planted file."""
    shutil.copy(CASES / "minimal-allocated" / "fleet.toml", tmp_path / "fleet.toml")
    (tmp_path / ".git").mkdir()
    generate = [sys.executable, "-m", "fleetc", "generate", "fleet.toml"]
    subprocess.run(generate, cwd=tmp_path, check=True, capture_output=True)
    planted = next((tmp_path / "generated" / "vms").glob("*.nix"))
    with open(planted, "r+b") as file:
        file.truncate(1 << 30)
    return generate, planted


def test_a_planted_gigabyte_in_the_tree_is_stale_not_read_whole(tmp_path):
    """`generate --check` compares each file fleetc owns with what it would
    write; a file of a gigabyte (sparse: no disk) where a VM's module belongs
    is read no further than the read limit, so a run held to 512 MiB of
    address space still says the tree is stale."""
    generate, planted = generated_with_a_planted_gigabyte(tmp_path)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))

    done = subprocess.run(
        [*generate, "--check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr


def test_build_reads_the_tree_up_to_the_read_limit(tmp_path):
    """`fleetc build` of a fleet that does not compile stages the tree as
    written (compare.on_disk): a gigabyte (sparse) planted where a VM's module
    belongs is refused after the read limit, not read whole, so a process held
    to 512 MiB of address space refuses it instead of running out of memory."""
    generate, planted = generated_with_a_planted_gigabyte(tmp_path)
    stage = (
        "import sys; from pathlib import Path\n"
        "from fleetc.nixbuild.staging import generated_on_disk\n"
        "from fleetc.output.transaction import WriteRefused\n"
        "try:\n    generated_on_disk(Path(sys.argv[1]))\n"
        "except WriteRefused as refused:\n    print(refused)\n"
    )

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))

    done = subprocess.run(
        [sys.executable, "-c", stage, str(tmp_path / "generated")],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"{planted} is larger than 64 MiB" in done.stdout
