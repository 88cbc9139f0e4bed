"""`fleetc setup-git`: what git must know so that a merge of two branches of a
fleet ends in one `fleetc generate`.

- `.git/config`: the merge driver `fleetc-lock` (cli/merge_driver.py), which
  merges fleet.lock three ways and leaves it conflicted, for `generate`, only
  when the fleet file must decide;
- `.gitattributes` at the top of the repository: fleet.lock merged by it
  (`merge=fleetc-lock`), the generated tree `linguist-generated` (folded in
  GitHub's and GitLab's reviews) and `-merge`: git never writes conflict
  markers into a generated file nor merges two generated versions into a
  third; a file both branches changed keeps this branch's version and is
  reported unmerged, which is exactly what makes it fleetc's to rewrite
  (output/tree_merge.py). `merge=ours` would be wrong: it reports no
  conflict, so a stale tree could be committed without a word.

Idempotent: what is already there is left as it is; every change is said.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import sys
from pathlib import Path

from ..output.disk_facts import repo_root
from ..output.git_index import Unmerged, run_git
from ..output.writer import MANIFEST, write_file_atomically
from .compiled import Compiled
from .merging import in_repo
from .report import Report

DRIVER = "fleetc-lock"
DRIVER_NAME = "fleetc: three-way merge of fleet.lock (fleetc setup-git)"
ATTRIBUTES = ".gitattributes"
HEADER = "# fleetc setup-git: fleet.lock merged by fleetc, generated files regenerated"
# Names written into .gitattributes as they are: no glob, quote or blank.
PLAIN = re.compile(r"[A-Za-z0-9._+@/-]+")
ATTRIBUTES_LIMIT = 1 << 20


class SetupRefused(Exception):
    """A path setup-git cannot name, or a file it cannot use; nothing changed."""


def set_up(report: Report, compiled: Compiled) -> list[str]:
    """Configuration and attributes for one fleet; what changed, each said."""
    repo = repo_root(compiled.fleet_file.resolve().parent)
    if repo is None:
        raise SetupRefused("the fleet is not in a git repository (`git init` first)")
    where = Unmerged(repo)
    lock, tree = in_repo(where, compiled.lock_file), tree_patterns(where, compiled)
    if lock is None or not tree:
        raise SetupRefused("fleet.lock or the output is outside the repository")
    try:
        changed = configure(repo) + add_attributes(repo, attribute_lines(lock, tree))
    except OSError as problem:
        raise SetupRefused(f"{problem.filename or ''}: {problem.strerror}") from None
    for line in changed or ["git was set up already (nothing changed)"]:
        report.say(f"fleetc: setup-git: {line}")
    for line in effective(repo, lock, _one_file(tree)):
        report.say(f"fleetc: setup-git: warning: git does not apply it: {line}")
    return changed


def tree_patterns(where: Unmerged, compiled: Compiled) -> list[str]:
    """`<output>/**`; when the output holds the fleet file or its lock (or is
    the repository's top), one pattern per top-level entry fleetc writes."""
    out = in_repo(where, compiled.out_dir)
    if out is None:
        return []
    fleet = in_repo(where, compiled.fleet_file) or ""
    lock = in_repo(where, compiled.lock_file) or ""
    prefix = "" if out in ("", ".") else f"{out}/"
    if prefix and not fleet.startswith(prefix) and not lock.startswith(prefix):
        return [f"{prefix}**"]
    names = [*compiled.result.files, MANIFEST]
    tops = {name.split("/")[0] + ("/**" if "/" in name else "") for name in names}
    return sorted(f"{prefix}{top}" for top in tops)


def _one_file(tree: list[str]) -> str:
    """A generated file the patterns cover, for `git check-attr`."""
    first = tree[0]
    return f"{first[:-3]}/flake.nix" if first.endswith("/**") else first


def driver_command() -> str:
    """The command git runs: `fleetc` when that is the fleetc running now,
    else this one by its absolute path (a venv's fleetc, `python -m fleetc`)."""
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    on_path = shutil.which("fleetc")
    if Path(script).name == "fleetc":
        same = on_path is not None and os.path.samefile(on_path, script)
        runner = "fleetc" if same else shlex.quote(script)
    else:
        runner = shlex.join([sys.executable, "-m", "fleetc"])
    return f"{runner} merge-lock %O %A %B %P"


def configure(repo: Path) -> list[str]:
    """The merge driver in .git/config; what was changed, one line each."""
    changed = []
    for key, value in (("name", DRIVER_NAME), ("driver", driver_command())):
        name = f"merge.{DRIVER}.{key}"
        if run_git(repo, "config", "--local", "--get", name) != f"{value}\n".encode():
            if run_git(repo, "config", "--local", name, value) is None:
                raise SetupRefused(f"git could not set {name} in .git/config")
            changed.append(f".git/config: {name} = {value}")
    return changed


def attribute_lines(lock: str, tree: list[str]) -> list[str]:
    """The lines for one fleet: its lock, then each pattern of its tree
    (paths relative to the repository)."""
    for path in [lock, *tree]:
        if not PLAIN.fullmatch(path.rstrip("*")):
            raise SetupRefused(
                f"`{path}` has characters .gitattributes reads specially;"
                " add its lines by hand (docs/fleet-format.md, Merging branches)"
            )
    lines = [f"/{lock} merge={DRIVER}"]
    return lines + [f"/{pattern} linguist-generated -merge" for pattern in tree]


def add_attributes(repo: Path, lines: list[str]) -> list[str]:
    """The lines missing from .gitattributes, appended; those added."""
    path = repo / ATTRIBUTES
    text = read_attributes(path)
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in lines if line not in present]
    if not missing:
        return []
    block = ([HEADER] if HEADER not in present else []) + missing
    separator = "" if not text or text.endswith("\n") else "\n"
    write_file_atomically(path, text + separator + "\n".join(block) + "\n")
    return [f"{ATTRIBUTES}: {line}" for line in missing]


def read_attributes(path: Path) -> str:
    """.gitattributes as it is ("" when absent): a regular file, not a link,
    at most 1 MiB."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return ""
    if not stat.S_ISREG(mode):
        raise SetupRefused(f"{path.name} is not a regular file (a link?)")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
    with os.fdopen(os.open(path, flags), "rb") as file:
        data = file.read(ATTRIBUTES_LIMIT + 1)
    if len(data) > ATTRIBUTES_LIMIT:
        raise SetupRefused(f"{path.name} is larger than 1 MiB")
    return data.decode("utf-8", "replace")


def effective(repo: Path, lock: str, generated: str) -> list[str]:
    """What git still does not apply (a later or deeper .gitattributes wins)."""
    asked = ("merge", "linguist-generated")
    said = run_git(repo, "check-attr", "-z", *asked, "--", lock, generated) or b""
    fields = said.split(b"\0")
    found = {
        (fields[i].decode(errors="replace"), fields[i + 1].decode()): fields[i + 2]
        for i in range(0, len(fields) - 2, 3)
    }
    wanted = {
        (lock, "merge"): DRIVER.encode(),
        (generated, "merge"): b"unset",
        (generated, "linguist-generated"): b"set",
    }
    return [
        f"{path}: {name} is {found.get((path, name), b'?').decode()}"
        for (path, name), value in wanted.items()
        if found.get((path, name)) != value
    ]
