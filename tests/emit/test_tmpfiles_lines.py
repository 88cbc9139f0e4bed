"""tmpfiles.d lines as the real systemd-tmpfiles reads them.

fleetc's own checks keep blanks and quotes out of state_dir and share sources,
so these values cannot come from a fleet today; the line writer must still be
right on its own, since it is the last place a value is shaped for tmpfiles.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from fleetc.emit.tmpfiles import tmpfiles_line

pytestmark = pytest.mark.skipif(
    shutil.which("systemd-tmpfiles") is None,
    reason="systemd-tmpfiles (Debian: systemd) is installed by `make test`",
)

TARGETS = ["/var/lib/microvms/web/journal/ab", "/a b/x", '/q"uote/x', "/p%m/x", "/b\\s"]


def test_link_targets_arrive_as_written(tmp_path):
    lines = [
        tmpfiles_line("L+", f"/link{i}", "-", "-", "-", "-", target)
        for i, target in enumerate(TARGETS)
    ]
    (tmp_path / "etc" / "tmpfiles.d").mkdir(parents=True)
    (tmp_path / "etc" / "tmpfiles.d" / "fleetc.conf").write_text(
        "\n".join(lines) + "\n"
    )
    subprocess.run(
        ["systemd-tmpfiles", f"--root={tmp_path}", "--create"],
        check=True,
        capture_output=True,
    )
    found = [os.readlink(tmp_path / f"link{i}") for i in range(len(TARGETS))]
    assert found == TARGETS
