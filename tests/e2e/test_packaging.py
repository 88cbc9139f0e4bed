"""`pip install .` gives a working fleetc: the wheel carries the grammar, the
templates and microvm.nix's option data, and the installed command runs."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.support.paths import ROOT, SAMPLES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
    ]
    done = subprocess.run(
        [*command, "--quiet", "-w", str(out), str(ROOT)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    [built] = out.glob("fleetc-*.whl")
    return built


def test_wheel_carries_grammar_templates_and_option_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "fleetc/grammar/fleet.lark" in names
    assert "fleetc/data/microvm-options.json" in names
    # `fleetc schema` and `fleetc explain` read these at run time.
    assert {"fleetc/data/fleet.schema.json", "fleetc/data/explain.toml"} <= names
    assert {
        "fleetc/emit/templates/flake.nix.j2",
        "fleetc/emit/templates/compat.nix.j2",
    } <= names
    assert any(name.endswith("entry_points.txt") for name in names)


def test_installed_fleetc_compiles_a_sample(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Install the wheel alone; its dependencies come from the test environment.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            site,
            str(wheel),
        ],
        check=True,
    )
    env = {"PYTHONPATH": sysconfig.get_paths()["purelib"], "PATH": "/usr/bin:/bin"}
    for fleet in ("fleet.toml", "fleet.fleet"):
        done = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "fleetc",
                "check",
                str(SAMPLES / "journald" / fleet),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
    assert (Path(site) / "fleetc" / "grammar" / "fleet.lark").is_file()
    installed = [str(venv / "bin" / "python"), "-m", "fleetc"]
    schema = subprocess.run(
        [*installed, "schema"], capture_output=True, text=True, env=env
    )
    shipped = Path(site) / "fleetc" / "data" / "fleet.schema.json"
    assert schema.stdout == shipped.read_text() and '"vms"' in schema.stdout
    explained = subprocess.run(
        [*installed, "explain", "F203"], capture_output=True, text=True, env=env
    )
    assert explained.stdout.startswith("F203: duplicate IPv4 address")
