"""Golden cases: a folder with a fleet file, the expected tree and expected stderr.

tests/cases/<name>/
    fleet.toml | fleet.fleet   the input
    expected/                  the tree `fleetc generate` writes (absent: it fails)
    expected.stderr            what it prints on stderr (diagnostics), exact
    args                       optional: extra command-line arguments, one line

samples/<name>/ are golden too: their `generated/` tree is checked in and must be
what `fleetc generate` writes. `make goldens` rewrites all of them; review the diff.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

from fleetc.cli.main import main

from tests.support.paths import CASES, SAMPLES


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []


def sample_dirs() -> list[Path]:
    return sorted(p.parent for p in SAMPLES.glob("*/fleet.toml"))


def fleet_file(case: Path) -> Path:
    found = sorted(case.glob("fleet.*"))
    return found[0]


def run_fleetc(cwd: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process in `cwd`; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(previous)
    return code, out.getvalue(), err.getvalue()


def extra_args(case: Path) -> list[str]:
    args = case / "args"
    return args.read_text().split() if args.exists() else []


def run_case(case: Path, out_dir: Path) -> tuple[int, str]:
    """Run in a scratch copy of the case: fleetc writes fleet.lock beside the fleet."""
    scratch = out_dir.parent / f"{case.name}-input"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(case, scratch, ignore=shutil.ignore_patterns("expected*"))
    args = ["generate", fleet_file(case).name, "--out", str(out_dir), *extra_args(case)]
    code, _, stderr = run_fleetc(scratch, *args)
    shutil.rmtree(scratch)
    return code, stderr


def read_tree(directory: Path) -> dict[str, str]:
    if not directory.is_dir():
        return {}
    return {
        p.relative_to(directory).as_posix(): p.read_text()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def regenerate_case(case: Path) -> None:
    expected = case / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    with tempfile.TemporaryDirectory() as scratch:
        _, stderr = run_case(case, Path(scratch) / "out")
        if (Path(scratch) / "out").is_dir():
            shutil.copytree(Path(scratch) / "out", expected)
    (case / "expected.stderr").write_text(stderr)


def regenerate_sample(sample: Path) -> None:
    shutil.rmtree(sample / "generated", ignore_errors=True)
    code, _, stderr = run_fleetc(sample, "generate", "fleet.toml")
    if code != 0:
        raise SystemExit(f"{sample}: fleetc failed:\n{stderr}")
