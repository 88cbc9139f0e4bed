"""`fleetc graph` (issue 12, item 4): the fleet drawn from the model alone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.support.goldens import run_fleetc
from tests.support.lifecycle import journald
from tests.support.paths import ROOT

HAS_DOT = shutil.which("dot") is not None
MERMAID_ID = r"[A-Za-z0-9_]+"
LABEL = r'"(?:[^"<>]|<br/>)*"'  # quotes and brackets only as entities
# Every line `fleetc graph` writes is one of these Mermaid statements.
MERMAID_LINE = re.compile(
    "|".join(
        [
            r"flowchart LR",
            rf"  subgraph {MERMAID_ID}\[{LABEL}\]",
            rf"    {MERMAID_ID}\[{LABEL}\]",
            rf"    {MERMAID_ID}\({LABEL}\)",
            r"  end",
            rf"  {MERMAID_ID}\{{\{{{LABEL}\}}\}}",
            rf"  {MERMAID_ID} ---(\|{LABEL}\|)? {MERMAID_ID}",
        ]
    )
)


def odd_fleet(tmp_path, vms: int = 3, reverse: bool = False):
    """VMs and networks with names Mermaid and DOT cannot take as they are."""
    numbers = reversed(range(vms)) if reverse else range(vms)
    # Addresses written: allocation follows the file's order, the drawing must not.
    tables = [
        f'[vms."vm-{n}"]\nhost = "h-1"\ninterfaces = [{{ network = "lan-a",'
        f' ipv4 = "10.1.0.{n + 10}" }}, {{ network = "v6", ipv6 = "fd00::{n + 10}" }}]\n'
        for n in numbers
    ]
    text = (
        '[fleet]\nname = "odd \\"fleet\\""\n\n'
        '[networks."lan-a"]\nipv4 = "10.1.0.0/16"\nvlan = 7\nbridge = "br-a"\n\n'
        '[networks.v6]\nipv6 = "fd00::/64"\ngateway6 = "fd00::1"\nmode = "routed"\n\n'
        '[hosts.h-1]\ninterfaces = [{ network = "lan-a", ipv4 = "10.1.0.1" }]\n\n'
        + "\n".join(tables)
    )
    directory = tmp_path / ("reversed" if reverse else "fleet")
    directory.mkdir(parents=True)
    (directory / "fleet.toml").write_text(text)
    return directory


def graph(fleet, *args):
    code, stdout, stderr = run_fleetc(fleet, "graph", "fleet.toml", *args)
    assert code == 0, stderr
    return stdout


def test_mermaid_of_the_journald_sample(tmp_path):
    text = graph(journald(tmp_path))
    assert text.splitlines()[:3] == [
        "flowchart LR",
        '  subgraph h_alpha["host alpha"]',
        '    host_alpha["alpha<br/>x86_64-linux"]',
    ]
    assert '  net_lan{{"network lan<br/>192.168.10.0/24<br/>bridge br0"}}' in text
    assert '  vm_dns ---|"192.168.10.20"| net_lan' in text
    assert all(MERMAID_LINE.fullmatch(line) for line in text.splitlines())


def test_names_are_escaped_and_output_is_deterministic(tmp_path):
    text = graph(odd_fleet(tmp_path))
    assert text == graph(odd_fleet(tmp_path, reverse=True))
    assert '    vm_vm_2d_0("vm-0<br/>1 vCPU, 512 MiB")' in text
    assert (
        "  net_lan_2d_a{{" in text and '"network v6<br/>fd00::/64<br/>routed"' in text
    )
    assert '  vm_vm_2d_0 ---|"10.1.0.10"| net_lan_2d_a' in text
    assert "VLAN 7<br/>bridge br-a" in text
    bad = [line for line in text.splitlines() if not MERMAID_LINE.fullmatch(line)]
    assert bad == []


def test_dot_is_deterministic(tmp_path):
    text = graph(odd_fleet(tmp_path), "--format", "dot")
    assert text == graph(odd_fleet(tmp_path, reverse=True), "--format", "dot")
    assert text.startswith('graph "odd \\"fleet\\"" {\n')
    assert '  "vm:vm-0" -- "net:lan-a" [label="10.1.0.10"];' in text


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz is not installed (make test does)")
def test_dot_parses_with_graphviz_at_50_vms(tmp_path):
    text = graph(odd_fleet(tmp_path, vms=50), "--format", "dot")
    done = subprocess.run(
        ["dot", "-Tsvg"], input=text, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    svg = graph(odd_fleet(tmp_path / "again", vms=50), "--format", "svg")
    assert svg.startswith("<?xml") and svg.count('<g id="node') == 53


def test_svg_without_graphviz_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, stdout, stderr = run_fleetc(
        journald(tmp_path), "graph", "fleet.toml", "--format", "svg"
    )
    assert (code, stdout) == (2, "")
    assert "`dot` (Graphviz) is not installed; install it" in stderr
    assert os.environ["PATH"] == str(tmp_path / "empty")


def test_the_readme_shows_the_journald_samples_picture(tmp_path):
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == graph(journald(tmp_path))
