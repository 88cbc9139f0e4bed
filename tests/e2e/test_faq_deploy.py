"""[fleet.deploy]: the FAQ's update-microvm, run for real.

The script is taken from the evaluated host configuration (the nixpkgs
stand-in's writeShellApplication keeps nixpkgs' preamble: bash, errexit,
nounset, pipefail), checked with Debian's shellcheck, and run by bash with
stub programs for what needs a network, a Nix daemon, systemd or root (curl,
nix, systemctl, chown); jq and coreutils are the real ones. The stubs log
their arguments; the expected logs were worked out by hand from the FAQ's
script and the fleet below.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetc.emit import shell

from tests.support import nixeval
from tests.support.faq import generate, inputs, staged, write_fleet
from tests.support.paths import SAMPLES

# A flake URL that needs quoting in every way bash has. state_dir may hold no
# character a shell reads specially (F512: microvm.nix splices it unquoted),
# so the state directory's name takes the two it may that are not plain.
FLAKE = "git+https://git.example.org/o'rg/fle et?ref=$HOME`id`"
HYDRA = "http://hydra.test/"
CACHE = "https://cache.test/o'k"


def fleet_text(state_dir: Path, deploy_extra: str = "") -> str:
    return f"""\
[fleet]
name = "ci"
flake = {json.dumps(FLAKE)}
state_dir = {json.dumps(str(state_dir))}

[fleet.deploy]
hydra = {json.dumps(HYDRA)}
jobset = "org/nix-config"
cache = {json.dumps(CACHE)}
{deploy_extra}

[networks.lan]
ipv4 = "10.0.0.0/24"

[hosts.h1]
[hosts.h2]

[vms.a]
host = "h1"
interfaces = [{{ network = "lan" }}]

[vms.b]
host = "h1"
interfaces = [{{ network = "lan" }}]

[vms.c]
host = "h2"
interfaces = [{{ network = "lan" }}]
"""


SCRIPTS = """configurations: builtins.mapAttrs (name: evaluated:
  map (p: p.script) (builtins.filter (p: (p.name or "") == "update-microvm")
    evaluated.config.environment.systemPackages))
  { inherit (configurations) h1 h2; }"""


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> dict:
    """The fleet's tree, its hydraJobs names and each host's script."""
    root = tmp_path_factory.mktemp("deploy")
    state = root / "state+dir@x"
    files, _ = generate(write_fleet(root / "fleet", fleet_text(state)))
    flake = staged(root / "fleet", root / "staged")
    scripts = nixeval.eval_flake(flake, "nixosConfigurations", inputs(), SCRIPTS)
    jobs = nixeval.eval_flake(flake, "hydraJobs", inputs(), "builtins.attrNames")
    return {
        "files": files,
        "state": state,
        "jobs": jobs,
        "scripts": {host: found[0] for host, found in scripts.items()},
        "counts": {host: len(found) for host, found in scripts.items()},
    }


def shellcheck(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "update-microvm"
    path.write_text(script)
    return subprocess.run(
        ["shellcheck", str(path)], capture_output=True, text=True, timeout=60
    )


def test_each_host_installs_one_update_microvm(fleet):
    assert fleet["counts"] == {"h1": 1, "h2": 1}
    assert sorted(n for n in fleet["files"] if n.startswith("deploy/")) == [
        "deploy/h1.nix",
        "deploy/h1.sh",
        "deploy/h2.nix",
        "deploy/h2.sh",
    ]


def test_the_script_is_the_file_after_writeshellapplications_preamble(fleet):
    script = fleet["scripts"]["h1"]
    assert script.startswith("#!/nix/store/")
    assert "set -o errexit\nset -o nounset\nset -o pipefail\n" in script
    [path] = [line for line in script.splitlines() if line.startswith("export PATH=")]
    bins = [entry.split("-", 1)[1] for entry in path[13:].split(":")[:-1]]
    assert bins == ["coreutils/bin", "curl/bin", "jq/bin", "nix/bin", "systemd/bin"]
    assert script.endswith(fleet["files"]["deploy/h1.sh"])


def test_scripts_pass_shellcheck(fleet, tmp_path):
    for script in fleet["scripts"].values():
        done = shellcheck(script, tmp_path)
        assert (done.returncode, done.stdout) == (0, "")


def test_the_sample_script_passes_shellcheck(tmp_path):
    sample = SAMPLES / "deploy"
    flake = staged(sample, tmp_path / "staged")
    found = nixeval.eval_flake(flake, "nixosConfigurations", inputs(), SCRIPTS_SAMPLE)
    assert sorted(found) == ["rack1", "rack2"]
    for script in found.values():
        done = shellcheck(script, tmp_path)
        assert (done.returncode, done.stdout) == (0, "")


SCRIPTS_SAMPLE = SCRIPTS.replace("h1 h2", "rack1 rack2").replace(
    "map (p: p.script)", "(found: (builtins.head found).script)"
)


# ---- running it ---------------------------------------------------------------

STUB = """#!/bin/bash
{ printf '%s' "$(basename "$0")"; printf '\\t%s' "$@"; printf '\\n'; } >> "$STUB_LOG"
"""
CURL = STUB + """job=${@: -1}
job=${job%/latest}
job=${job##*/}
if [ -f "$HYDRA_RESPONSES/$job" ]; then cat "$HYDRA_RESPONSES/$job"; else exit 22; fi
"""


class Host:
    """One host's script with stubbed programs and a state directory."""

    def __init__(self, fleet: dict, host: str, tmp: Path) -> None:
        tmp.mkdir(exist_ok=True)
        self.script = tmp / "update-microvm"
        self.script.write_text(fleet["scripts"][host])
        self.state = fleet["state"]
        self.bin, self.responses, self.log = tmp / "bin", tmp / "hydra", tmp / "log"
        self.store = tmp / "store"
        for directory in (self.bin, self.responses, self.store):
            directory.mkdir()
        for name in ("nix", "systemctl", "chown"):
            (self.bin / name).write_text(STUB)
        (self.bin / "curl").write_text(CURL)
        for stub in self.bin.iterdir():
            stub.chmod(0o755)

    def installed(self, vm: str, flake: str = FLAKE, current: str | None = None):
        directory = self.state / vm
        directory.mkdir(parents=True, exist_ok=True)
        # microvm.nix's install service: `echo '<updateFlake>' > flake`.
        (directory / "flake").write_text(flake + "\n")
        if current is not None:
            (directory / "current").symlink_to(current)
        return directory

    def path(self, name: str) -> str:
        """A runner's store path: it exists, as a booted or current one does."""
        (self.store / name).mkdir(exist_ok=True)
        return str(self.store / name)

    def built(self, vm: str, out: str) -> None:
        body = {"id": 1, "buildoutputs": {"out": {"path": out}}}
        (self.responses / vm).write_text(json.dumps(body))

    def run(self, *names: str) -> subprocess.CompletedProcess:
        env = {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "STUB_LOG": str(self.log),
            "HYDRA_RESPONSES": str(self.responses),
        }
        return subprocess.run(
            ["bash", str(self.script), *names],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [line.split("\t") for line in self.log.read_text().splitlines()]


@pytest.fixture()
def h1(fleet, tmp_path) -> Host:
    host = Host(fleet, "h1", tmp_path)
    yield host
    for vm in ("a", "b", "c"):
        _remove(fleet["state"] / vm)


def _remove(directory: Path) -> None:
    if directory.exists():
        for entry in directory.iterdir():
            entry.unlink()
        directory.rmdir()


def url(vm: str) -> str:
    return f"http://hydra.test/job/org/nix-config/{vm}/latest"


def curl(vm: str) -> list[str]:
    return [
        "curl",
        "--fail",
        "--silent",
        "--show-error",
        "--location",
        "--header",
        "Accept: application/json",
        url(vm),
    ]


NIX = ["nix", "--extra-experimental-features", "nix-command"]


def test_first_deploy_links_current_and_starts_the_vm(h1):
    a = h1.installed("a")
    h1.installed("b")
    h1.built("a", h1.path("aaaa-microvm-a-1"))
    h1.built("b", h1.path("bbbb-microvm-b-1"))
    done = h1.run("a")
    assert done.returncode == 0, done.stderr
    assert os.readlink(a / "current") == h1.path("aaaa-microvm-a-1")
    assert not (a / "old").exists() and not (h1.state / "b" / "current").exists()
    assert h1.calls() == [
        curl("a"),
        [*NIX, "copy", "--from", CACHE, h1.path("aaaa-microvm-a-1")],
        ["chown", "--no-dereference", "microvm:kvm", str(a / "current")],
        ["systemctl", "restart", "microvm@a.service"],
    ]
    assert "NOT BOOTED?" in done.stdout


def test_an_update_keeps_old_diffs_against_booted_and_restarts(h1):
    a = h1.installed("a", current=h1.path("aaaa-microvm-a-1"))
    (a / "booted").symlink_to(h1.path("aaaa-microvm-a-0"))
    h1.built("a", h1.path("aaaa-microvm-a-2"))
    done = h1.run("a")
    assert done.returncode == 0, done.stderr
    assert os.readlink(a / "current") == h1.path("aaaa-microvm-a-2")
    assert os.readlink(a / "old") == h1.path("aaaa-microvm-a-1")
    diff = ["store", "diff-closures", h1.path("aaaa-microvm-a-0")]
    assert [*NIX, *diff, h1.path("aaaa-microvm-a-2")] in h1.calls()
    assert h1.calls()[-1] == ["systemctl", "restart", "microvm@a.service"]


def test_an_unchanged_build_restarts_nothing(h1):
    a = h1.installed("a", current=h1.path("aaaa-microvm-a-1"))
    h1.built("a", h1.path("aaaa-microvm-a-1"))
    done = h1.run("a")
    assert done.returncode == 0, done.stderr
    assert "a is up to date" in done.stdout
    assert not (a / "old").exists()
    assert [call[0] for call in h1.calls()] == ["curl", "nix", "nix"]
    assert "NOT BOOTED! Diffing to old current:" in done.stdout


def test_a_vm_from_another_flake_is_left_alone_the_others_deployed(h1):
    h1.installed("a", flake="git+https://elsewhere.example/flake")
    b = h1.installed("b")
    h1.built("a", h1.path("aaaa-microvm-a-1"))
    h1.built("b", h1.path("bbbb-microvm-b-1"))
    done = h1.run()
    assert done.returncode == 1
    assert "not touching a" in done.stderr
    assert "update-microvm: failed: a" in done.stderr
    assert not (h1.state / "a" / "current").exists()
    assert os.readlink(b / "current") == h1.path("bbbb-microvm-b-1")
    assert [call for call in h1.calls() if call[0] == "curl"] == [curl("b")]


def test_a_failed_download_stops_that_vm_only(h1):
    """errexit holds inside each VM's subshell: after curl fails, nothing of
    that VM is copied, switched or restarted."""
    a = h1.installed("a", current=h1.path("aaaa-microvm-a-1"))
    b = h1.installed("b")
    h1.built("b", h1.path("bbbb-microvm-b-1"))
    done = h1.run("a", "b")
    assert done.returncode == 1
    assert "update-microvm: failed: a" in done.stderr
    assert os.readlink(a / "current") == h1.path("aaaa-microvm-a-1")
    assert os.readlink(b / "current") == h1.path("bbbb-microvm-b-1")
    assert ["systemctl", "restart", "microvm@a.service"] not in h1.calls()
    assert h1.calls()[0] == curl("a") and h1.calls()[1] == curl("b")


def test_a_name_of_another_hosts_vm_is_a_usage_error(h1):
    done = h1.run("a", "c")
    assert done.returncode == 2
    assert "c is not a MicroVM of host h1" in done.stderr
    assert "NAME: one of a b" in done.stderr
    assert h1.calls() == []


def test_hydra_jobs_are_what_the_scripts_ask_hydra_for(fleet, tmp_path):
    asked = []
    for host, vms in (("h1", "ab"), ("h2", "c")):
        runner = Host(fleet, host, tmp_path / host)
        for vm in vms:
            runner.installed(vm)
            runner.built(vm, f"/nix/store/{vm * 4}-microvm-{vm}")
        assert runner.run().returncode == 0
        asked += [call[-1] for call in runner.calls() if call[0] == "curl"]
        for vm in vms:
            _remove(fleet["state"] / vm)
    assert asked == [url(vm) for vm in fleet["jobs"]]
    assert fleet["jobs"] == ["a", "b", "c"]


def test_deploy_vms_limits_the_script_and_the_hosts(tmp_path):
    text = fleet_text(tmp_path / "state", 'vms = ["b"]')
    files, _ = generate(write_fleet(tmp_path / "fleet", text))
    assert sorted(n for n in files if n.startswith("deploy/")) == [
        "deploy/h1.nix",
        "deploy/h1.sh",
    ]
    assert "host_vms=('b')\n" in files["deploy/h1.sh"]
    assert "../deploy/h1.nix" in files["hosts/h1.nix"]
    assert "deploy/h2" not in files["hosts/h2.nix"]


def test_values_are_quoted_once_for_bash(fleet):
    text = fleet["files"]["deploy/h1.sh"]
    flake = "'git+https://git.example.org/o'\\''rg/fle et?ref='\\$'HOME'\\`'id'\\`"
    assert f"fleet_flake={flake}\n" in text
    assert "hydra='http://hydra.test'\n" in text
    assert "cache='https://cache.test/o'\\''k'\n" in text


# ---- shell quoting ------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
            max_size=30,
        )
    )
)
def test_quoted_words_are_the_same_strings_to_bash_and_shellcheck_clean(values):
    """One script assigns and prints every value; bash must print each back
    unchanged and shellcheck must find nothing to say about the quoting."""
    lines = ["#!/bin/bash", "set -o nounset"]
    for index, value in enumerate(values):
        lines += [f"v{index}={shell.quote(value)}", f'printf "%s\\0" "$v{index}"']
    script = "\n".join(lines) + "\n"
    done = subprocess.run(["bash", "-c", script], capture_output=True, timeout=10)
    printed = done.stdout.split(b"\0")[:-1]
    assert [p.decode("utf-8", "surrogateescape") for p in printed] == values
    checked = subprocess.run(
        ["shellcheck", "-"], input=script, capture_output=True, text=True, timeout=60
    )
    assert (checked.returncode, checked.stdout) == (0, "")


def test_quote_refuses_nul():
    with pytest.raises(ValueError):
        shell.quote("a\0b")
