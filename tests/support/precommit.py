"""The repository's pre-commit hooks as a fleet repository meets them:
`pre-commit run` with a config naming this checkout at a commit, one
PRE_COMMIT_HOME for the whole session.

`pre-commit try-repo` gives every call a fresh temporary store, so each call
reinstalled fleetc and its dependencies (30-40 s a test, the slowest tests of
the suite). A config with a fixed `rev` installs once per session, and is what
an operator's repository holds anyway. The snapshot carries the working
tree's uncommitted changes, as `try-repo` did, so a change is tested before
it is committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
HOOKS = ("fleetc-check", "fleetc-generate")


@dataclass(frozen=True)
class Hooks:
    config: Path
    env: dict

    def run(self, repo: Path, hook: str, files=None) -> subprocess.CompletedProcess:
        """`hook` on `files`, or on what is staged (as `git commit` runs it)."""
        pre_commit = Path(sys.executable).with_name("pre-commit")
        command = [str(pre_commit), "run", "--config", str(self.config), hook]
        if files is not None:
            command += ["--files", *files]
        return subprocess.run(
            command, cwd=repo, env=self.env, capture_output=True, text=True, timeout=900
        )


def snapshot_checkout(into: Path) -> str:
    """This checkout's files as git would commit them (untracked, not ignored,
    included), committed in a new repository; returns the commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (os.fsdecode(entry) for entry in listed)):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "snapshot"]):
        subprocess.run([*GIT, *args], cwd=into, check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=into, capture_output=True)
    return head.stdout.decode().strip()


def hooks_for_session(scratch: Path) -> Hooks:
    source = scratch / "fleetc"
    source.mkdir()
    commit = snapshot_checkout(source)
    config = scratch / "pre-commit-config.yaml"
    lines = [f"repos:\n  - repo: {source}\n    rev: {commit}\n    hooks:\n"]
    lines += [f"      - id: {hook}\n" for hook in HOOKS]
    config.write_text("".join(lines))
    home = {"PRE_COMMIT_HOME": str(scratch / "home")}
    return Hooks(config=config, env={**os.environ, **home})
