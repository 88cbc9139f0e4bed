"""A name in a fleet file or fleet.lock reaches the terminal only as text:
control characters and bidirectional overrides are shown escaped in every
human format (issue 18's hostile pull requests; the JSON document escapes
them as JSON does)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# What the VM's name holds once TOML's escapes are read: clear the screen,
# retitle the window, reverse the text, and a C1 control sequence introducer.
ESCAPES = "\x1b[2J\x1b]0;owned\x07\u202e\x9b"
FLEET = r"""[fleet]
name = "t"

[hosts.h]

[vms."web\u001b[2J\u001b]0;owned\u0007\u202e\u009b"]
host = "h"
"""


def run(tmp_path, *options: str) -> subprocess.CompletedProcess:
    (tmp_path / "fleet.toml").write_text(FLEET, encoding="ascii")
    return subprocess.run(
        [sys.executable, "-m", "fleetc", "check", "fleet.toml", *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_hostile_name_is_shown_escaped(tmp_path, fmt):
    done = run(tmp_path, "--format", fmt)
    assert done.returncode == 1, done.stderr
    assert "\\u001b[2J" in done.stderr  # the name is shown, escaped
    for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert raw not in done.stderr + done.stdout


def test_json_carries_the_name_as_written(tmp_path):
    done = run(tmp_path, "--format", "json")
    document = json.loads(done.stdout)
    assert any(ESCAPES in d["message"] for d in document["diagnostics"])
    assert "\x1b" not in done.stdout  # JSON's own \u001b
