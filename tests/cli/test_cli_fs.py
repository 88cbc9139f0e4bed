"""No traceback for any file-system condition, in any command.

Each condition is real: a file mode 000 or a read-only folder (as root, fleetc
runs without CAP_DAC_OVERRIDE through util-linux's setpriv, so permissions
bind it too), a symlink loop, a directory where a file belongs, a full disk
(RLIMIT_FSIZE: Python then gets EFBIG), a name that is not UTF-8. fleetc runs
as a real subprocess, twice at once: in text it must print one line and exit 2;
with --format json, stdout must be one JSON document (valid UTF-8) naming the
problem with a code and the file.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import CASES

FLEET = CASES / "minimal-allocated" / "fleet.toml"
COMPILING = ("check", "generate", "diff", "build")
CONVERT = ("convert", "--to", "fleet")
# Without the capabilities that let root ignore file modes.
NO_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
ROOT = os.geteuid() == 0


@pytest.fixture()
def repo(tmp_path) -> Path:
    """A fleet inside a git repository (a `.git` folder is enough to find it)."""
    (tmp_path / ".git").mkdir()
    shutil.copy(FLEET, tmp_path / "fleet.toml")
    return tmp_path


def start(cwd: Path, args: list, unprivileged: bool, file_size: int | None):
    prefix = NO_OVERRIDE if unprivileged and ROOT else []
    if prefix and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes do not apply")

    def limit():
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    command = [*prefix, sys.executable, "-m", "fleetc", *args]
    return subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit,
    )


def both(cwd: Path, *args, unprivileged=False, file_size=None, at_once=True):
    """(text run, json run), each (exit code, stdout bytes, stderr text).
    At once only when they must refuse: two runs that write would race."""
    runs = []
    for fmt in ("text", "json"):
        runs.append(start(cwd, [*args, "--format", fmt], unprivileged, file_size))
        if not at_once:
            runs[-1].wait(timeout=120)
    done = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=120)
        done.append((run.returncode, stdout, stderr.decode(errors="replace")))
    return done


def assert_refused(cwd: Path, *args, code: str, file: str, says: str, **kw) -> dict:
    """Exit 2 without a traceback; one line in text, one document in JSON."""
    text, as_json = both(cwd, *args, **kw)
    assert text[0] == 2 and "Traceback" not in text[2], text[2]
    assert text[1] == b""
    [line] = text[2].splitlines()
    assert line.startswith("fleetc: ") and says in line, line

    assert as_json[0] == 2 and "Traceback" not in as_json[2], as_json[2]
    document = json.loads(as_json[1].decode("utf-8"))
    assert (document["exit"], document["errors"]) == (2, 1)
    [problem] = document["diagnostics"]
    assert problem["code"] == code and says in problem["message"]
    assert problem["location"] == {"file": file, "line": None, "column": None}
    assert [entry["exit"] for entry in document["fleets"]] == [2]
    return document


def with_command(command: str, *rest: str) -> list[str]:
    return [*(CONVERT if command == "convert" else [command]), *rest]


# -- the fleet file ------------------------------------------------------------


@pytest.mark.parametrize("command", [*COMPILING, "convert"])
def test_missing_fleet(repo, command):
    args = with_command(command, "missing.toml")
    says = "cannot read missing.toml: No such file or directory"
    assert_refused(repo, *args, code="F030", file="missing.toml", says=says)


@pytest.mark.parametrize("command", [*COMPILING, "convert"])
def test_unreadable_fleet(repo, command):
    (repo / "fleet.toml").chmod(0)
    args = with_command(command, "fleet.toml")
    says = "cannot read fleet.toml: Permission denied"
    assert_refused(
        repo, *args, code="F030", file="fleet.toml", says=says, unprivileged=True
    )


@pytest.mark.parametrize("command", ["check", "convert"])
def test_fleet_that_is_a_directory_a_loop_or_not_utf8(repo, command):
    (repo / "dir.toml").mkdir()
    (repo / "loop.toml").symlink_to("loop.toml")
    (repo / "latin1.toml").write_bytes(b'[fleet]\nname = "caf\xe9"\n')
    for name, code, says in [
        ("dir.toml", "F011", "it is a directory, not a regular file"),
        ("loop.toml", "F030", "Too many levels of symbolic links"),
        ("latin1.toml", "F030", "not UTF-8"),
    ]:
        args = with_command(command, name)
        assert_refused(repo, *args, code=code, file=name, says=says)


# -- fleet.lock ----------------------------------------------------------------


@pytest.mark.parametrize("command", COMPILING)
def test_unreadable_lock(repo, command):
    (repo / "fleet.lock").write_text("version = 1\n")
    (repo / "fleet.lock").chmod(0)
    says = "cannot read fleet.lock: Permission denied"
    assert_refused(
        repo,
        command,
        "fleet.toml",
        code="F030",
        file="fleet.lock",
        says=says,
        unprivileged=True,
    )


@pytest.mark.parametrize("command", ["check", "generate"])
def test_lock_that_is_a_directory_or_a_loop(repo, command):
    (repo / "fleet.lock").mkdir()
    says = "cannot read fleet.lock: it is a directory, not a regular file"
    assert_refused(
        repo, command, "fleet.toml", code="F011", file="fleet.lock", says=says
    )
    (repo / "fleet.lock").rmdir()
    (repo / "fleet.lock").symlink_to("fleet.lock")
    says = "cannot read fleet.lock: Too many levels of symbolic links"
    assert_refused(
        repo, command, "fleet.toml", code="F030", file="fleet.lock", says=says
    )


# -- the output directory ------------------------------------------------------


@pytest.mark.parametrize("command", COMPILING)
def test_output_that_is_a_symlink_loop(repo, command):
    (repo / "loop").symlink_to("loop")
    says = "Too many levels of symbolic links"
    args = [command, "fleet.toml", "--out", "loop"]
    assert_refused(repo, *args, code="F032", file="loop", says=says)


@pytest.mark.parametrize("command", COMPILING)
def test_output_that_is_a_file(repo, command):
    (repo / "out").write_text("a file, not a directory\n")
    args = [command, "fleet.toml", "--out", "out"]
    says = "cannot use out: Not a directory"
    assert_refused(repo, *args, code="F032", file="out", says=says)
    assert (repo / "out").read_text() == "a file, not a directory\n"


@pytest.mark.parametrize("command", ["generate", "build"])
def test_output_in_a_read_only_folder(repo, command):
    (repo / "ro").mkdir()
    (repo / "ro").chmod(0o555)
    args = [command, "fleet.toml", "--out", "ro/generated"]
    done = assert_refused(
        repo, *args, code="F031", file=ANY, says="Permission denied", unprivileged=True
    )
    assert done["diagnostics"][0]["location"]["file"].startswith(str(repo / "ro"))
    assert list((repo / "ro").iterdir()) == []


class _Anything(str):
    """Equal to any string: where the writer fails first is the writer's choice."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str)

    __hash__ = str.__hash__


ANY = _Anything()


def test_full_disk(repo):
    says = "cannot write generated: File too large"
    assert_refused(
        repo,
        "generate",
        "fleet.toml",
        code="F031",
        file="generated",
        says=says,
        file_size=600,
        at_once=False,  # both reach the writer's lock: one would wait for the other
    )


# -- convert -o ----------------------------------------------------------------


def test_convert_into_a_read_only_folder_or_a_full_disk(repo):
    (repo / "ro").mkdir()
    (repo / "ro").chmod(0o555)
    args = [*CONVERT, "fleet.toml", "-o", "ro/fleet.fleet"]
    says = "cannot write ro/fleet.fleet: Permission denied"
    assert_refused(
        repo, *args, code="F031", file="ro/fleet.fleet", says=says, unprivileged=True
    )
    args = [*CONVERT, "fleet.toml", "-o", "fleet.fleet"]
    says = "cannot write fleet.fleet: File too large"
    assert_refused(
        repo, *args, code="F031", file="fleet.fleet", says=says, file_size=100
    )
    assert sorted(p.name for p in repo.iterdir()) == [".git", "fleet.toml", "ro"]


def test_convert_refuses_a_directory_and_writes_nothing(repo):
    (repo / "out").mkdir()
    says = "cannot write to out: it is a directory"
    args = [*CONVERT, "fleet.toml", "-o", "out"]
    assert_refused(repo, *args, code="F034", file="out", says=says)
    assert list((repo / "out").iterdir()) == []
    assert sorted(p.name for p in repo.iterdir()) == [".git", "fleet.toml", "out"]


def test_convert_refuses_to_overwrite_its_fleet(repo):
    before = (repo / "fleet.toml").read_bytes()
    (repo / "link.toml").symlink_to("fleet.toml")
    os.link(repo / "fleet.toml", repo / "hard.toml")
    says = "refusing to overwrite {}: it is the fleet being converted"
    via_parent = f"../{repo.name}/fleet.toml"
    for target in ("fleet.toml", "link.toml", "hard.toml", via_parent):
        args = ["convert", "--to", "toml", "fleet.toml", "-o", target]
        assert_refused(repo, *args, code="F033", file=target, says=says.format(target))
    args = ["convert", "--to", "toml", "link.toml", "-o", "fleet.toml"]
    assert_refused(repo, *args, code="F033", file="fleet.toml", says="refusing")
    assert (repo / "fleet.toml").read_bytes() == before
    assert (repo / "link.toml").is_symlink()


# -- names that are not UTF-8 --------------------------------------------------


def test_fleet_file_named_in_latin1(repo):
    name = os.fsdecode(b"caf\xe9.toml")
    (repo / "fleet.toml").rename(repo / name)
    text, as_json = both(repo, "generate", name, at_once=False)
    assert text[0] == 0 and "Traceback" not in text[2], text[2]
    document = json.loads(as_json[1].decode("utf-8"))
    assert document["exit"] == 0 and document["fleets"][0]["file"] == "caf\\xe9.toml"
    assert (repo / os.fsdecode(b"caf\xe9.lock")).exists()
    header = (repo / "generated" / "flake.nix").read_bytes().splitlines()[0]
    # Shown as an escape, itself escaped as every name in a Nix comment is.
    assert header.startswith(
        b"# Generated by fleetc from caf\\\\xe9.toml or caf\\\\xe9.fleet."
    )


def test_fleet_folder_named_in_latin1(repo):
    folder = repo / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    (repo / "fleet.toml").rename(folder / "fleet.toml")
    # Inside the repository, the folder's name goes into the flake (dir=...).
    (folder / "fleet.toml").write_text(
        FLEET.read_text().replace(
            "[fleet]\n", '[fleet]\nflake = "git+https://example.org/f"\n'
        )
    )
    name = os.fsdecode(b"caf\xe9/fleet.toml")
    says = "cannot use caf\\xe9/fleet.toml: a directory on its path"
    assert_refused(
        repo, "generate", name, code="F032", file="caf\\xe9/fleet.toml", says=says
    )
    assert not (folder / "generated").exists()


def test_github_format_annotates_the_file(repo):
    command = [sys.executable, "-m", "fleetc", "check", "missing.toml"]
    done = subprocess.run(
        [*command, "--format", "github"], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr == (
        "::error file=missing.toml,title=F030::"
        "cannot read missing.toml: No such file or directory\n"
    )


def test_a_fleet_outside_any_repository_and_the_cwd_is_named_by_its_path(tmp_path):
    """`make demo`'s case: from a checkout, a fleet copied to a scratch
    directory. `../../tmp/x/generated/` climbs out of the cwd; the path says
    where it is."""
    fleet = tmp_path / "demo" / "fleet.toml"
    fleet.parent.mkdir()
    shutil.copy(FLEET, fleet)
    cwd = tmp_path / "checkout" / "sub"
    cwd.mkdir(parents=True)
    command = [sys.executable, "-m", "fleetc", "generate", str(fleet)]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"files to {fleet.parent}/generated/" in done.stderr
    beside = subprocess.run(command, cwd=fleet.parent, capture_output=True, text=True)
    assert "fleetc: generated/ is up to date" in beside.stderr
