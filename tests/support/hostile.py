"""The hostile-repository test: every command that reads a fleet, on random
repositories where anything committed may be an attack (issue 18).

Each repository (seeded: `--only SEED` makes the same one again) is a copy of
a sample fleet (TOML or the DSL, with or without its twin) with its generated
tree and lock, in git (or not), beside a sentinel directory outside it; then
one to four plants (hostile_plants.py, hostile_names.py): fleetc's
bookkeeping files with hostile content, links to the sentinel, FIFOs and
/dev/zero where fleetc reads, hostile names in fleet.lock and the fleet file,
leftover staging directories, two fleets on one output, private files, a
planted result cache.

Every command (check, generate --check, diff, plan, graph, convert, generate,
build with a stand-in nix: hostile_nix.py) then runs in random order and
options, audited (hostile_audit.py runs it, hostile_hook.py judges each file
operation, hostile_judge.py the rest). What must hold for each run:

- nothing written, created, renamed or removed outside the output directory,
  fleet.lock and fleetc's temp directory (nothing at all by a read-only
  command; an untracked leftover of an older fleetc may be removed), nothing
  outside the repository opened, no program but git, nix and dot started;
- the sentinel and the repository outside the output unchanged (lstat, and
  the sentinel's bytes), the sentinel's content in no output, tree or stage;
- an exit status of 0..3 (a closed stdout: SIGPIPE's), no traceback, no hang.

    python -m tests.support.hostile --count 10000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.support import hostile_audit as audit
from tests.support.hostile_judge import (
    judge,
    last_line,
    leaked_into_tree,
    removals_escaping,
)
from tests.support.hostile_plants import plant
from tests.support.hostile_repo import (
    Site,
    git_output,
    changes,
    into_git,
    make_site,
    snapshot,
    track,
)

SAMPLES = ("basic", "basic", "journald")
FLEETS = ("fleet.toml", "fleet.fleet")
READ_ONLY = frozenset({"check", "diff", "plan", "graph"})
TIMEOUT = 30.0


@dataclass
class Failure:
    seed: int
    plants: list[str]
    argv: list[str]
    problems: list[str]
    stderr: str

    def summary(self) -> str:
        return f"seed {self.seed}: fleetc {' '.join(self.argv)}: {self.problems[0]}"


def new_site(seed: int, where: Path, made: dict | None = None):
    """(the repository of `seed` in `where`, an empty directory; the random
    numbers that made it). `made` holds settled repositories to copy."""
    rng = random.Random(seed)
    kind = (rng.choice(SAMPLES), rng.choice(FLEETS), rng.random() < 0.5)
    in_git = rng.random() < 0.9
    copy = (made or {}).get((*kind, in_git))
    site = make_site(where, *kind, seed, copy)
    site.in_git = in_git
    if copy is None:
        settle(site)
    plant(site, rng)
    return site, rng


def settled(root: Path) -> dict[tuple, Path]:
    """Every kind of repository, settled once (copied for each seed: a
    tenth of a repository's time). The generated tree holds no absolute path."""
    made = {}
    for sample in sorted(set(SAMPLES)):
        for fleet in FLEETS:
            for twin in (False, True):
                for in_git in (False, True):
                    base = root / f"{sample}-{fleet}-{twin}-{in_git}"
                    site = make_site(base, sample, fleet, twin, 0)
                    site.in_git = in_git
                    settle(site)
                    made[(sample, fleet, twin, in_git)] = site.repo
    return made


def settle(site: Site) -> None:
    """The repository after one `generate` (the sample's tree was generated at
    its place in this checkout), all of it in git's index when in git."""
    if site.in_git:
        into_git(site)
    argv = ["generate", site.fleet]
    command = audit.Command(tuple(argv), str(site.repo), site.env(), bounds(site, argv))
    done = audit.run(command, site.base / "logs", TIMEOUT)
    if done.exit != 0 or done.violations:
        raise RuntimeError(f"generate failed on the sample: {done.stderr[-500:]!r}")
    track(site)


def commands(site: Site, rng: random.Random) -> list[tuple[list[str], bool]]:
    """Every command on the fleet (a few on the others), in random order and
    options; each with whether its stdout is a closed pipe."""
    chosen = [argv for argv in every_command(site, site.fleet, rng)]
    for other in site.others:
        chosen += rng.sample(every_command(site, other, rng), 3)
    rng.shuffle(chosen)
    return [(argv, rng.random() < 0.1) for argv in chosen]


def every_command(site: Site, fleet: str, rng: random.Random) -> list[list[str]]:
    other = "fleet" if fleet.endswith(".toml") else "toml"
    graph = rng.choice(["mermaid", "mermaid", "dot", "json", "svg"])
    found = [
        ["check", fleet],
        ["generate", fleet, "--check"],
        ["diff", fleet],
        ["plan", fleet],
        ["graph", fleet, "--format", graph],
        ["convert", fleet, "--to", other]
        + (["-o", f"converted.{other}"] if rng.random() < 0.3 else []),
        ["generate", fleet],
        ["build", fleet],
        ["lock", fleet],
        ["update", fleet],
        ["setup-git", fleet],
    ]
    return [argv + options(argv, rng) for argv in found]


def options(argv: list[str], rng: random.Random) -> list[str]:
    extra = []
    if argv[0] != "graph" and rng.random() < 0.3:
        extra += ["--format", rng.choice(["json", "json", "github"])]
    if argv[0] in ("check", "generate", "diff", "build") and rng.random() < 0.2:
        extra.append("--locked")
    if argv[0] in ("generate", "build") and rng.random() < 0.2:
        extra.append("--force")
    return extra


def is_read_only(argv: list[str]) -> bool:
    return (
        argv[0] in READ_ONLY
        or (argv[0] == "generate" and "--check" in argv)
        or (argv[0] == "convert" and "-o" not in argv)
    )


def real(path: Path) -> str:
    """`path` resolved, its last part not followed (where a write would land)."""
    return os.path.join(os.path.realpath(path.parent), path.name)


def own_files(site: Site, argv: list[str]) -> list[str]:
    """What a command may write in the repository besides the output (names
    relative to it): fleet.lock, convert's -o, setup-git's .gitattributes."""
    names = [site.lock(argv[1]).name]
    if "-o" in argv:
        names.append(argv[argv.index("-o") + 1])
    if argv[0] == "setup-git":
        names.append(".gitattributes")
    return names


def bounds(site: Site, argv: list[str]) -> audit.Bounds:
    files = [real(site.repo / name) for name in own_files(site, argv)]
    writable = (os.path.realpath(site.out_dir), os.path.realpath(site.tmp))
    return audit.Bounds(
        repo=os.path.realpath(site.repo),
        writable_dirs=writable,
        writable_files=tuple(files),
        read_only=is_read_only(argv),
        removable=tuple(real(site.repo / name) for name in leftovers(site, argv)),
    )


def leftovers(site: Site, argv: list[str]) -> list[str]:
    """What a killed older fleetc left beside the output and fleet.lock
    (`.generated.fleetc-<pid>[.old]`, `.fleet.lock.fleetc-<pid>`) that git does
    not track (outside git: all of them): fleetc may prove such a one its own
    and remove it."""
    lock = site.lock(argv[1]).name
    pattern = re.compile(
        rf"\.{re.escape(site.output)}\.fleetc-[0-9]+(\.old)?|\.{re.escape(lock)}\.fleetc-[0-9]+"
    )
    found = [name for name in os.listdir(site.repo) if pattern.fullmatch(name)]
    if not found or not site.in_git:  # outside git, git tracks nothing
        return found
    listed = git_output(site, "ls-files", "-z", "--", *found)
    tracked = {name.split("/")[0] for name in listed.split("\0") if name}
    return [name for name in found if name not in tracked]


def written_places(site: Site, argv: list[str]):
    """What a command may change in the repository: the output, its own
    files and their temps (lexically; links are the audit's), setup-git's
    git configuration."""
    names = set(own_files(site, argv))
    temps = tuple(f".{name}.fleetc-" for name in names)
    out = site.output
    removable = tuple(leftovers(site, argv))
    configured = {".git/config"} if argv[0] == "setup-git" else set()

    def skip(relative: str) -> bool:
        top = relative.split("/")[0]
        if top == out or top in removable or relative in configured:
            return True
        return "/" not in relative and (relative in names or relative.startswith(temps))

    return skip


def audit_site(site: Site, rng: random.Random, timeout: float) -> list[Failure]:
    failures = []
    for argv, closed in commands(site, rng):
        problems, run = audit_one(site, argv, closed, timeout)
        if problems:
            stderr = run.stderr.decode("utf-8", "replace")[-2000:]
            failures.append(Failure(site.seed, site.plants, argv, problems, stderr))
    return failures


def audit_one(site: Site, argv, closed: bool, timeout: float):
    """(what went wrong, the run) for one audited command in `site`."""
    skip = written_places(site, argv)
    before = [snapshot(site.repo, skip), *sentinels(site)]
    command = audit.Command(tuple(argv), str(site.repo), site.env(), bounds(site, argv))
    if closed:
        command = audit.Command(**{**command.__dict__, "closed_stdout": True})
    run = audit.run(command, site.base / "logs", timeout)
    after = [snapshot(site.repo, skip), *sentinels(site)]
    places = ("repository outside the output", "sentinel", "HOME")
    problems = judge(site, run)
    for place, old, new in zip(places, before, after, strict=True):
        problems += [f"{place}: {change}" for change in changes(old, new)]
    return problems + leaked_into_tree(site) + removals_escaping(site), run


def sentinels(site: Site) -> list[dict]:
    """What must never change outside the repository: the sentinel, HOME."""
    return [snapshot(path, contents=True) for path in (site.outside, site.home)]


# -- many repositories -------------------------------------------------------------


def scratch() -> str | None:
    """Where repositories are made: a memory file system when there is one
    (the writer's syncs and the clean-up cost nothing there), else TMPDIR."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def one_repository(task: tuple) -> tuple[list[Failure], float]:
    seed, timeout, keep, made = task
    started = time.monotonic()
    where = Path(tempfile.mkdtemp(prefix=f"fleetc-hostile-{seed}-", dir=scratch()))
    failures = None
    try:
        site, rng = new_site(seed, where, made)
        failures = audit_site(site, rng, timeout)
    except Exception:  # the test's own failure: reported, not hidden
        said = traceback.format_exc()
        failures = [
            Failure(
                seed, [], [], [f"the test failed: {last_line(said.encode())}"], said
            )
        ]
    finally:
        if keep and failures != []:
            kept = Path(keep) / str(seed)
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(where, kept, symlinks=True, ignore_dangling_symlinks=True)
        remove(where)
    return failures, time.monotonic() - started


def remove(where: Path) -> None:
    def writable(function, path, _):
        os.chmod(os.path.dirname(path), 0o700)
        function(path)

    shutil.rmtree(where, onerror=writable)


def hostile(seeds, jobs: int = 1, timeout: float = TIMEOUT, keep=None, made=None):
    """Every repository of `seeds`; (failures, seconds per repository).
    `made`: settled repositories (`settled`), made here when not given."""
    audit.console_entry()  # loaded once, before the workers fork
    root = Path(tempfile.mkdtemp(prefix="fleetc-hostile-settled-", dir=scratch()))
    try:
        made = made or settled(root)
        tasks = [(seed, timeout, keep, made) for seed in seeds]
        return _every(tasks, jobs)
    finally:
        remove(root)


def _every(tasks: list, jobs: int) -> tuple[list[Failure], list[float]]:
    failures, times = [], []
    if jobs == 1:
        results = map(one_repository, tasks)
    else:
        pool = multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=200)
        results = pool.imap_unordered(one_repository, tasks, chunksize=4)
    for found, seconds in results:
        failures += found
        times.append(seconds)
    if jobs != 1:
        pool.close()
        pool.join()
    return failures, times


def main(argv: list[str] | None = None) -> int:
    args = command_line().parse_args(argv)
    first = args.seed if args.only is None else args.only
    seeds = range(first, first + (args.count if args.only is None else 1))
    started = time.monotonic()
    failures, times = hostile(seeds, args.jobs, args.timeout, args.keep)
    each = sum(times) / max(len(times), 1)
    print(f"{len(times)} repositories in {time.monotonic() - started:.0f} s", end="")
    print(f" ({each:.2f} s each in a worker)")
    for failure in failures[:50]:
        print(failure.summary())
        print("   ", "; ".join(failure.plants)[:300])
    if failures:
        Path(args.save).write_text(json.dumps([asdict(f) for f in failures], indent=1))
        repositories = len({f.seed for f in failures})
        print(f"{len(failures)} failing runs in {repositories} repositories", end="")
        print(f"; details in {args.save}")
    return 1 if failures else 0


def command_line() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--count", type=int, default=100)
    options.add_argument("--jobs", type=int, default=1)
    options.add_argument("--seed", type=int, default=0, help="the first seed")
    options.add_argument("--only", type=int, help="just this seed (a failure's)")
    options.add_argument("--timeout", type=float, default=TIMEOUT)
    options.add_argument("--keep", help="copy failing repositories here")
    options.add_argument("--save", default="hostile-failures.json")
    return options


if __name__ == "__main__":
    sys.exit(main())
