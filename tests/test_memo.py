"""The result cache (compiler/fleetc/memo.py): a remembered run is told again
only while everything it read still holds, and then says exactly what a full
run would.

Every test runs the real `fleetc` as a subprocess with a cache directory of its
own, and compares a run that may use the cache with one that may not
(`--no-cache`): stdout, stderr and exit code must be identical. Whether a run
was told again is seen from outside: a hit loads none of the compiler (`-X
importtime`) and leaves the cache entry as it was (same inode and mtime).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fleetc import memo

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def fleetc(cwd: Path, cache: Path, *args: str, importtime: bool = False):
    env = {**os.environ, "FLEETC_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    env.pop("FLEETC_NO_CACHE", None)
    flags = ["-X", "importtime"] if importtime else []
    done = subprocess.run(
        [PYTHON, *flags, "-m", "fleetc", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout, done.stderr


def without_importtime(stderr: str) -> str:
    return "".join(
        line for line in stderr.splitlines(True) if not line.startswith("import time:")
    )


def entries(cache: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for entry in cache.glob("*.json"):
        status = entry.stat()
        found[entry.name] = (status.st_ino, status.st_mtime_ns)
    return found


def told_again(cwd: Path, cache: Path, *args: str) -> tuple:
    """Run with the cache; assert it was a hit; the run's (code, out, err)."""
    before = entries(cache)
    code, out, err = fleetc(cwd, cache, *args, importtime=True)
    assert "fleetc.pipeline" not in err, "the compiler was loaded: not a hit"
    assert entries(cache) == before
    return code, out, without_importtime(err)


def remembered_then_told(cwd: Path, cache: Path, *args: str) -> tuple:
    """A full run (compiled, kept), then a remembered one; both must agree with --no-cache."""
    full = fleetc(cwd, cache, *args, "--no-cache")
    time.sleep(0.15)  # past memo_facts.RACY_NS since any file was written
    assert fleetc(cwd, cache, *args) == full
    assert told_again(cwd, cache, *args) == full
    return full


@pytest.fixture
def journald(tmp_path: Path) -> Path:
    fleet = tmp_path / "journald"
    shutil.copytree(ROOT / "samples" / "journald", fleet)
    return fleet


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_remembered_check_says_what_a_full_check_says(journald, cache, fmt):
    code, out, _ = remembered_then_told(
        journald, cache, "check", "fleet.toml", "--format", fmt
    )
    assert code == 0
    if fmt == "json":
        assert json.loads(out)["fleets"][0]["output"] == "generated"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_check_with_errors_is_told_again_located(journald, cache, fmt):
    text = (journald / "fleet.toml").read_text()
    broken = text.replace("mem = 512", "mem = 0", 1) + '\n[vms.git2]\nhost = "gamma"\n'
    (journald / "fleet.toml").write_text(broken)
    (journald / "fleet.fleet").unlink()
    code, out, err = remembered_then_told(
        journald, cache, "check", "fleet.toml", "--format", fmt
    )
    assert code == 1
    if fmt == "json":
        found = json.loads(out)["diagnostics"]
        assert len(found) >= 2 and {d["severity"] for d in found} == {"error"}
        assert all(d["location"]["line"] > 1 for d in found)
    else:
        assert "fleet.toml:" in err


def test_several_fleets_are_told_again_only_together(journald, cache, tmp_path):
    other = tmp_path / "basic"
    shutil.copytree(ROOT / "samples" / "basic", other)
    both = ["check", str(journald / "fleet.toml"), str(other / "fleet.toml")]
    remembered_then_told(tmp_path, cache, *both)
    (other / "fleet.toml").write_text(
        (other / "fleet.toml").read_text().replace("mem = ", "mem = 1", 1)
    )
    (other / "fleet.fleet").unlink()
    assert fleetc(tmp_path, cache, *both) == fleetc(
        tmp_path, cache, *both, "--no-cache"
    )


def test_a_generate_that_changed_nothing_is_told_again(journald, cache):
    first = fleetc(journald, cache, "generate", "fleet.toml", "--no-cache")
    assert first[0] == 0
    code, _, err = remembered_then_told(journald, cache, "generate", "fleet.toml")
    assert code == 0 and "up to date" in err


def test_a_generate_that_wrote_is_not_remembered(journald, cache):
    shutil.rmtree(journald / "generated")
    code, _, err = fleetc(journald, cache, "generate", "fleet.toml")
    assert code == 0 and "wrote" in err
    assert entries(cache) == {}


# What a remembered run depends on, each changed in turn. Each returns a
# description; after each, a run that may use the cache must say what a full
# run says.
def edit_memory(fleet: Path, rng: random.Random) -> str:
    path = fleet / "fleet.toml"
    mem = rng.choice([512, 1024, 4096])
    path.write_text(path.read_text().replace("mem = 2048", f"mem = {mem}", 1))
    return f"fleet.toml mem {mem}"


def break_fleet(fleet: Path, rng: random.Random) -> str:
    path = fleet / "fleet.toml"
    path.write_text(path.read_text() + "\n[vms.oops]\nhost = 'nowhere'\n")
    return "fleet.toml names an unknown host"


def edit_lock(fleet: Path, rng: random.Random) -> str:
    path = fleet / "fleet.lock"
    if path.exists():
        lines = path.read_text().splitlines(True)
        lines.insert(1, "# a comment\n")
        path.write_text("".join(lines))
    return "fleet.lock edited"


def remove_lock(fleet: Path, rng: random.Random) -> str:
    (fleet / "fleet.lock").unlink(missing_ok=True)
    return "fleet.lock removed"


def edit_twin(fleet: Path, rng: random.Random) -> str:
    path = fleet / "fleet.fleet"
    if path.exists():
        path.write_text(path.read_text().replace("2048", "4096", 1))
    return "fleet.fleet disagrees"


def remove_twin(fleet: Path, rng: random.Random) -> str:
    (fleet / "fleet.fleet").unlink(missing_ok=True)
    return "fleet.fleet removed"


def remove_module(fleet: Path, rng: random.Random) -> str:
    (fleet / "modules" / "common.nix").unlink(missing_ok=True)
    return "module removed"


def restore_module(fleet: Path, rng: random.Random) -> str:
    (fleet / "modules").mkdir(exist_ok=True)
    (fleet / "modules" / "common.nix").write_text("{ ... }: { }\n")
    return "module restored"


def output_becomes_a_file(fleet: Path, rng: random.Random) -> str:
    shutil.rmtree(fleet / "generated", ignore_errors=True)
    (fleet / "generated").write_text("not a directory\n")
    return "generated/ is a file"


def output_removed(fleet: Path, rng: random.Random) -> str:
    out = fleet / "generated"
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink(missing_ok=True)
    return "generated/ removed"


def start_git(fleet: Path, rng: random.Random) -> str:
    if not (fleet / ".git").exists():
        subprocess.run(["git", "init", "-q", str(fleet)], check=True)
    return "now a git repository (the module is untracked)"


def track_everything(fleet: Path, rng: random.Random) -> str:
    if (fleet / ".git").exists():
        subprocess.run(["git", "-C", str(fleet), "add", "-A"], check=True)
    return "git add -A"


def restore_sample(fleet: Path, rng: random.Random) -> str:
    for name in ("fleet.toml", "fleet.fleet", "fleet.lock"):
        shutil.copy(ROOT / "samples" / "journald" / name, fleet / name)
    return "sample files restored"


CHANGES = [
    edit_memory,
    break_fleet,
    edit_lock,
    remove_lock,
    edit_twin,
    remove_twin,
    remove_module,
    restore_module,
    output_becomes_a_file,
    output_removed,
    start_git,
    track_everything,
    restore_sample,
]


@pytest.mark.parametrize("seed", range(3))
def test_after_any_change_a_check_says_what_a_full_check_says(journald, cache, seed):
    """Random changes to everything a check reads; after each, the check with
    the cache agrees with one without, and a repeat is told again."""
    rng = random.Random(seed)
    args = ["check", "fleet.toml", "--format", "json"]
    for _ in range(8):
        change = rng.choice(CHANGES)
        what = change(journald, rng)
        full = fleetc(journald, cache, *args, "--no-cache")
        assert fleetc(journald, cache, *args) == full, what
        assert fleetc(journald, cache, *args) == full, what


def test_each_change_is_seen_after_a_remembered_check(journald, cache):
    """Every kind of change, each right after a check was remembered."""
    args = ["check", "fleet.toml"]
    subprocess.run(["git", "init", "-q", str(journald)], check=True)
    subprocess.run(["git", "-C", str(journald), "add", "-A"], check=True)
    for change in CHANGES:
        restore_sample(journald, random.Random(0))
        restore_module(journald, random.Random(0))
        if not (journald / "generated").is_dir():
            (journald / "generated").unlink(missing_ok=True)
            (journald / "generated").mkdir()
        track_everything(journald, random.Random(0))
        remembered_then_told(journald, cache, *args)
        what = change(journald, random.Random(0))
        full = fleetc(journald, cache, *args, "--no-cache")
        assert fleetc(journald, cache, *args) == full, what


def test_untracking_a_module_is_seen(journald, cache):
    subprocess.run(["git", "init", "-q", str(journald)], check=True)
    subprocess.run(["git", "-C", str(journald), "add", "-A"], check=True)
    args = ["check", "fleet.toml"]
    remembered_then_told(journald, cache, *args)
    subprocess.run(
        ["git", "-C", str(journald), "rm", "-q", "--cached", "modules/common.nix"],
        check=True,
    )
    full = fleetc(journald, cache, *args, "--no-cache")
    assert "F023" in full[2]
    assert fleetc(journald, cache, *args) == full


def test_another_directory_is_another_run(journald, cache):
    """Messages name paths relative to the working directory."""
    remembered_then_told(journald, cache, "check", "fleet.toml", "--format", "json")
    elsewhere = journald.parent
    args = ["check", "journald/fleet.toml", "--format", "json"]
    full = fleetc(elsewhere, cache, *args, "--no-cache")
    assert fleetc(elsewhere, cache, *args) == full


@pytest.fixture
def generated(journald, cache) -> Path:
    """journald generated, and its no-op remembered."""
    assert fleetc(journald, cache, "generate", "fleet.toml")[0] == 0
    remembered_then_told(journald, cache, "generate", "fleet.toml")
    return journald / "generated"


def test_a_hand_edit_that_keeps_size_and_mtime_is_seen(journald, cache, generated):
    """Like git's index: a rewrite in place keeps the inode, and here the size
    and (set back by hand) the mtime too; the ctime still tells."""
    path = generated / "vms" / "dns.nix"
    status = path.stat()
    data = path.read_bytes()
    with open(path, "r+b") as file:  # in place: same inode
        file.write(data[:-2] + b"#\n")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    code, _, err = fleetc(journald, cache, "generate", "fleet.toml")
    assert code == 2 and "edited by hand" in err
    assert (code, _, err) == fleetc(
        journald, cache, "generate", "fleet.toml", "--no-cache"
    )


def test_a_removed_generated_file_is_written_again(journald, cache, generated):
    (generated / "vms" / "dns.nix").unlink()
    code, _, err = fleetc(journald, cache, "generate", "fleet.toml")
    assert code == 0 and "wrote 1 of" in err
    assert (generated / "vms" / "dns.nix").exists()


def test_an_interrupted_run_is_not_told_again(journald, cache, generated):
    """A run killed mid-transaction leaves its journal: the next run must
    finish it (writer.py), so it compiles in full."""
    (generated / ".fleetc-pending.json").write_text("{}")
    _, _, err = fleetc(journald, cache, "generate", "fleet.toml", importtime=True)
    assert "fleetc.pipeline" in err


def test_a_stat_taken_as_the_file_was_written_is_not_trusted(journald, cache):
    """A tree written in the instant the no-op started could change again
    unseen within the same clock tick: such a run is not remembered."""
    assert fleetc(journald, cache, "generate", "fleet.toml")[0] == 0
    now = time.time_ns()
    for path in (journald / "generated").rglob("*.nix"):
        os.utime(path, ns=(now, now + 10**9))  # "written" in the near future
    shutil.rmtree(cache, ignore_errors=True)
    assert fleetc(journald, cache, "generate", "fleet.toml")[0] == 0
    assert entries(cache) == {}


def test_no_cache_and_the_environment_switch_keep_nothing(journald, cache):
    fleetc(journald, cache, "check", "fleet.toml", "--no-cache")
    assert entries(cache) == {}
    env = {**os.environ, "FLEETC_CACHE_DIR": str(cache), "FLEETC_NO_CACHE": "1"}
    subprocess.run(
        [PYTHON, "-m", "fleetc", "check", "fleet.toml"], cwd=journald, env=env
    )
    assert entries(cache) == {}


def test_a_cache_directory_others_can_write_is_not_used(journald, cache):
    cache.mkdir(mode=0o777)
    os.chmod(cache, 0o777)
    code, _, _ = fleetc(journald, cache, "check", "fleet.toml")
    assert code == 0 and entries(cache) == {}


def test_an_unusable_cache_directory_is_no_failure(journald, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    full = fleetc(journald, blocked / "cache", "check", "fleet.toml", "--no-cache")
    assert fleetc(journald, blocked / "cache", "check", "fleet.toml") == full


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "[]",
        lambda text: text.replace('"facts":[', '"facts":[["nonsense","x",1],', 1),
        lambda text: text.replace('"facts":[', '"facts":[["text"],', 1),
        lambda text: text.replace('"exit":0', '"exit":"0"'),
        lambda text: text.replace('"calls":[', '"calls":[["explode"],', 1),
    ],
)
def test_a_damaged_entry_is_a_full_run(journald, cache, damage):
    remembered_then_told(journald, cache, "check", "fleet.toml")
    (entry,) = cache.glob("*.json")
    entry.write_text(damage(entry.read_text()))
    full = fleetc(journald, cache, "check", "fleet.toml", "--no-cache")
    assert fleetc(journald, cache, "check", "fleet.toml") == full
    assert "Traceback" not in full[2]


def test_editing_fleetc_itself_is_another_key(tmp_path):
    """A checkout edited without a new version is another fleetc."""
    copy = tmp_path / "fleetc"
    shutil.copytree(Path(memo.__file__).parent, copy, symlinks=False)
    script = "from fleetc import memo; print(memo.code_fingerprint())"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    def fingerprint() -> str:
        done = subprocess.run([PYTHON, "-c", script], env=env, capture_output=True)
        return done.stdout.decode()

    before = fingerprint()
    assert before == fingerprint()
    (copy / "checks" / "values.py").write_text(
        (copy / "checks" / "values.py").read_text() + "\n# edited\n"
    )
    assert fingerprint() != before


def test_at_most_so_many_entries_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(memo, "ENTRIES", 3)
    for number in range(5):
        path = tmp_path / f"{number:040x}.json"
        memo.store(path, {"number": number})
        os.utime(path, ns=(number * 10**9, number * 10**9))
    kept = sorted(p.name for p in tmp_path.glob("*.json"))
    assert kept == [f"{n:040x}.json" for n in (2, 3, 4)]


def test_an_output_link_pointed_elsewhere_is_seen(journald, cache, tmp_path):
    """Messages name the output where it really is (relative to its own
    repository): retargeting the link changes what a check says."""
    shutil.rmtree(journald / "generated")
    for repo, inner in (("a", "out"), ("b", "deep/out")):
        subprocess.run(["git", "init", "-q", str(tmp_path / repo)], check=True)
        (tmp_path / repo / inner).mkdir(parents=True)
    (journald / "generated").symlink_to(tmp_path / "a" / "out")
    args = ["check", "fleet.toml", "--format", "json"]
    code, out, _ = remembered_then_told(journald, cache, *args)
    assert json.loads(out)["fleets"][0]["output"] == "out"
    (journald / "generated").unlink()
    (journald / "generated").symlink_to(tmp_path / "b" / "deep" / "out")
    full = fleetc(journald, cache, *args, "--no-cache")
    assert json.loads(full[1])["fleets"][0]["output"] == "deep/out"
    assert fleetc(journald, cache, *args) == full


def test_generate_check_as_pre_commit_runs_it_is_told_again(journald, cache, generated):
    """pre-commit's fleetc-check hook runs `generate --check`."""
    args = ["generate", "--check", "fleet.toml"]
    assert remembered_then_told(journald, cache, *args)[0] == 0
    with open(generated / "vms" / "dns.nix", "a") as file:
        file.write("# edited\n")
    full = fleetc(journald, cache, *args, "--no-cache")
    assert full[0] == 1 and "# edited" in full[1]
    assert fleetc(journald, cache, *args) == full
    time.sleep(0.15)
    assert told_again(journald, cache, *args) == full  # stale, and remembered so


def test_generate_check_sees_a_file_appear_where_one_was_missing(
    journald, cache, generated
):
    """A file the tree lacks is a fact too: its appearing changes the verdict."""
    args = ["generate", "--check", "fleet.toml"]
    path = generated / "vms" / "dns.nix"
    kept = path.read_bytes()
    path.unlink()
    assert remembered_then_told(journald, cache, *args)[0] == 1
    path.write_bytes(kept)
    full = fleetc(journald, cache, *args, "--no-cache")
    assert full[0] == 0
    assert fleetc(journald, cache, *args) == full


def test_another_version_of_a_dependency_is_another_key(tmp_path, monkeypatch):
    """tomli or lark upgraded could read the same text otherwise."""
    before = memo.code_fingerprint()
    site_dir = tmp_path / "site-packages"
    site_dir.mkdir()
    (site_dir / "tomli-9.9.9.dist-info").mkdir()
    monkeypatch.setattr(memo.site, "getusersitepackages", lambda: str(site_dir))
    memo.code_fingerprint.cache_clear()
    try:
        assert memo.code_fingerprint() != before
    finally:
        memo.code_fingerprint.cache_clear()


def test_the_cache_is_kept_under_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(memo, "ENTRY_BYTES", 2500)
    for number in range(5):
        path = tmp_path / f"{number:040x}.json"
        memo.store(path, {"padding": "x" * 1000})
        os.utime(path, ns=(number * 10**9, number * 10**9))
    kept = sorted(p.name for p in tmp_path.glob("*.json"))
    assert kept == [f"{n:040x}.json" for n in (3, 4)]


def test_an_entry_cut_short_by_a_kill_is_cleared_later(tmp_path):
    left = tmp_path / f".{0:040x}.4242.partial"
    left.write_text('{"format"')
    os.utime(left, ns=(0, 0))
    fresh = tmp_path / f".{1:040x}.4243.partial"
    fresh.write_text('{"format"')  # another run is writing it now
    memo.store(tmp_path / f"{2:040x}.json", {"format": 1})
    assert not left.exists() and fresh.exists()
