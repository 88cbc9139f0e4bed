"""The command line as a new user meets it, through the real `fleetc`: how to
run it, options between positionals, --locked and --out where they mean
something, examples in every --help, colour on a terminal only (NO_COLOR),
shell completion, and `build` saying what it does and what it could not fetch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.nixeval import flake_options, nix_env, overrides
from tests.support.paths import CASES, ROOT, SAMPLES

FLEETC = [sys.executable, "-m", "fleetc"]
SUBCOMMANDS = [
    "check",
    "generate",
    "diff",
    "build",
    "convert",
    "schema",
    "explain",
    "completion",
]


def fleetc(cwd: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*FLEETC, *args],
        cwd=cwd,
        env=env or nix_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture()
def repo(tmp_path) -> Path:
    """The journald sample (TOML only: tests edit it) in a real git repository."""
    root = tmp_path / "repo"
    skip = shutil.ignore_patterns("generated", "fleet.lock", "fleet.fleet")
    shutil.copytree(SAMPLES / "journald", root / "ops", ignore=skip)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root / "ops"


def test_readme_says_how_to_run_fleetc_and_that_path_works():
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/fleetc" in readme and "pipx install ." in readme
    assert "fleetc: .venv/bin/fleetc" in (ROOT / "Makefile").read_text()
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "fleetc"), "--version"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.startswith("fleetc ")


def test_options_may_come_between_positionals(repo, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(repo, other)
    done = fleetc(repo, "check", "fleet.toml", "--locked", str(other / "fleet.toml"))
    assert done.returncode == 1, done.stderr  # both read; both locks would change
    assert done.stderr.count("error[F805]") == 0  # F805 is one line each
    assert done.stderr.count("would change (--locked)") == 2
    # build FLEET --out DIR NAME: the name is read, and is unknown (before nix).
    done = fleetc(repo, "build", "fleet.toml", "--out", "generated", "nosuch")
    assert done.returncode == 2
    assert done.stderr.strip().endswith("fleetc: no VM or host named nosuch")


def test_diff_takes_locked(repo):
    done = fleetc(repo, "diff", "fleet.toml", "--locked")
    assert done.returncode == 1 and "fleet.lock would change (--locked)" in done.stderr
    assert fleetc(repo, "generate", "fleet.toml").returncode == 0
    done = fleetc(repo, "diff", "fleet.toml", "--locked")
    assert (done.returncode, done.stdout) == (0, "")


def test_convert_rejects_out_and_check_uses_it(repo, tmp_path):
    done = fleetc(repo, "convert", "fleet.toml", "--to", "fleet", "--out", "x")
    assert done.returncode == 2 and "unrecognized arguments: --out x" in done.stderr
    assert not (repo / "x").exists()
    # check --out: checks the tree as if written there (F024 outside the repo).
    done = fleetc(repo, "check", "fleet.toml", "--out", str(tmp_path / "elsewhere"))
    assert done.returncode == 1 and "error[F024]" in done.stderr


def every_subcommand() -> list[str]:
    """From the parser itself: a subcommand added later needs examples too."""
    from fleetc.cli.main import parser
    from fleetc.cli.completion import subcommands

    return sorted(subcommands(parser()))


def test_the_known_subcommands_are_all_there():
    assert set(SUBCOMMANDS) <= set(every_subcommand())


@pytest.mark.parametrize("command", every_subcommand())
def test_every_subcommand_help_has_examples(tmp_path, command):
    done = fleetc(tmp_path, command, "--help")
    assert done.returncode == 0
    examples = done.stdout.split("\nexamples:\n", 1)[1]
    assert f"fleetc {command} " in examples


def on_a_terminal(cwd: Path, *args: str, **env: str) -> str:
    """Run fleetc with stdout and stderr on a pseudo-terminal (util-linux script)."""
    command = " ".join([*FLEETC, *args])
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        cwd=cwd,
        env={**environment, **env},
        capture_output=True,
        text=True,
    )
    return done.stdout


RED_ERROR = "\033[1;31merror\033[0m[F203]"


def test_colour_on_a_terminal_only_and_never_with_no_color(tmp_path):
    shutil.copy(CASES / "duplicate-ipv4" / "fleet.toml", tmp_path / "fleet.toml")
    assert RED_ERROR in on_a_terminal(tmp_path, "check", "fleet.toml")
    plain = on_a_terminal(tmp_path, "check", "fleet.toml", NO_COLOR="1")
    assert "\033[" not in plain and "error[F203]" in plain
    piped = fleetc(tmp_path, "check", "fleet.toml")
    assert "\033[" not in piped.stderr and "error[F203]" in piped.stderr


def complete(script: str, *words: str) -> list[str]:
    """What bash's completion function offers for `words` (the last is typed)."""
    driver = (
        f"{script}\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n_fleetc\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
    )
    done = subprocess.run(["bash", "-c", driver], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_bash_completion_completes_subcommands_and_options(tmp_path):
    script = fleetc(tmp_path, "completion", "bash").stdout
    assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0
    assert set(SUBCOMMANDS) <= set(complete(script, "fleetc", ""))
    assert complete(script, "fleetc", "ge") == ["generate"]
    assert complete(script, "fleetc", "diff", "f.toml", "--lo") == ["--locked"]
    assert complete(script, "fleetc", "check", "--format", "") == [
        "text",
        "json",
        "github",
    ]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_every_subcommand(tmp_path, shell):
    script = fleetc(tmp_path, "completion", shell).stdout
    assert all(f" {name}" in script for name in SUBCOMMANDS)
    if shutil.which(shell):  # checked by the shell itself when installed
        done = subprocess.run([shell, "-n"], input=script, text=True)
        assert done.returncode == 0


def test_build_says_what_it_is_doing(repo):
    done = fleetc(repo, "build", "fleet.toml", "web", "--", *flake_options(overrides()))
    assert done.returncode == 0, done.stderr
    assert "fleetc: evaluating 1 configuration..." in done.stderr
    assert "fleetc: building 1 derivation..." in done.stderr


def test_offline_build_names_the_input_it_could_not_fetch(repo):
    """No network here: a github: nixpkgs cannot resolve; microvm is a stand-in."""
    toml = repo / "fleet.toml"
    unreachable = "github:example-nowhere/nixpkgs/nixos-unstable"
    toml.write_text(
        toml.read_text().replace("[fleet]\n", f'[fleet]\nnixpkgs = "{unreachable}"\n')
    )
    microvm_only = flake_options({"microvm": overrides()["microvm"]})
    done = fleetc(repo, "build", "fleet.toml", "web", "--", *microvm_only)
    assert done.returncode == 3
    assert f"could not fetch input `nixpkgs` ({unreachable})" in done.stderr
    assert "fleetc build FLEET -- --override-input nixpkgs PATH" in done.stderr
    web = next(line for line in done.stdout.splitlines() if line.startswith("web"))
    assert web.split()[:3] == ["web", "vm", "failed"]
