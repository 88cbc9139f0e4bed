"""Values that reach a command line, a path, a unit name or a tmpfiles/udev/
networkd line (checks/values.py, checks/systems.py, checks/unit_values.py).

Each value is either rejected with a located, coded diagnostic and a help
line, or reaches the generated Nix unchanged and inside the docs' allowed set
(tests/support/value_fields.py), read back by the real evaluator (one
nix-instantiate call per batch). Where the value lands in a systemd file,
real tools judge it: `systemd-tmpfiles --root` creates the journal rules,
`systemd-analyze verify --root` reads microvm.nix's unit lines. Debian 12's
systemd 252 has no verifier for .network files (`systemd-analyze verify`
takes units only) and no `udevadm verify` (systemd 254), and udev is not
installed: networkd and udev values are held to the documented grammar.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetc.core import pipeline
from fleetc.core.diagnostics import CODES, Severity
from fleetc.core.source import Source

from tests.support.nixeval import eval_json, parse
from tests.support.paths import ROOT
from tests.support.value_fields import (
    FIELDS,
    PRELUDE,
    compile_with,
    fleet_text,
    read_back,
    write_tree,
)

REPRODUCERS = [
    ("tag", "data,id=x", "F510"),
    ("tag", "../x", "F510"),
    ("tag", "a b", "F510"),
    ("tag", "t" * 37, "F511"),
    ("source", "/srv/a,b", "F512"),
    ("source", '/srv/"$(reboot)"', "F512"),
    ("socket", "a b.sock", "F512"),
    ("socket", "../x.sock", "F512"),
    ("socket", "s" * 104 + ".sock", "F513"),
    ("image", "var.img,format=qcow2", "F512"),
    ("image", "nbd:host:10809", "F512"),
    ("image", "it's.img", "F512"),
    ("image", "../other/var.img", "F512"),
    ("mount", "/srv\nx", "F512"),
    ("state_dir", "/var/lib/my vms", "F512"),
    ("state_dir", "/var/lib/%i", "F512"),
    ("state_dir", "/var/lib/micro\nvms", "F512"),
    ("state_dir", "var/lib/microvms", "F514"),
    ("state_dir", "/var/lib/microvms/", "F514"),
    ("state_dir", "/var/lib/../tmp", "F514"),
    ("system", "x86_64-linux\n", "F150"),
    ("system", "x86-64-linux", "F150"),
    ("system", "x86_64-darwin", "F150"),
    ("gateway6", "fe80::1%br0\nDNS=1.1.1.1", "F520"),
    ("dns", "fd00::53%eth0", "F520"),
    ("host_ipv6", "fd00::2%x", "F520"),
]


@pytest.mark.parametrize("field, value, code", REPRODUCERS)
def test_values_that_change_meaning_are_rejected_where_written(field, value, code):
    result = compile_with(field, value)
    found = [d for d in result.diagnostics if d.code == code]
    assert found, [d.code for d in result.diagnostics]
    line, _ = found[0].span.line_col
    written = fleet_text(field, value).splitlines()[line - 1]
    assert {"host_ipv6": "ipv6"}.get(field, field) in written
    assert found[0].help


def test_a_system_with_a_typo_gets_the_double_meant():
    result = compile_with("system", "x86-64-linux")
    assert [d.help for d in result.diagnostics] == ["did you mean `x86_64-linux`?"]


LEGITIMATE = [
    ("tag", "data-2.x_y"),
    ("tag", "t" * 36),
    ("source", "/srv/web+static@2"),
    ("source", "data"),
    ("socket", "/run/microvm/web.sock"),
    ("image", "/dev/disk/by-path/pci-0000:00:1f.2-ata-1"),
    ("image", "images/var.img"),
    ("mount", "/srv/données"),
    ("state_dir", "/srv/micro-vms"),
    ("system", "aarch64-linux"),
    ("gateway6", "fe80::1"),
    ("dns", "2001:db8::53"),
]


def accepted_trees(pairs, tmp_path: Path) -> list[tuple[str, str, Path]]:
    """(field, value, tree) of the pairs that compile; trees written to disk."""
    found = []
    for index, (field, value) in enumerate(pairs):
        result = compile_with(field, value)
        if result.ok:
            write_tree(result.files, tmp_path / str(index))
            found.append((field, value, tmp_path / str(index)))
        else:
            assert_located(result.diagnostics)
    return found


# The codes of these checks: each comes with a help line. Other checks that
# refuse a value first (F201 for an unparsable address, F506 for an empty
# source) are held only to a location and a code.
VALUE_CODES = re.compile(r"F15\d|F51\d|F52\d")


def assert_located(diagnostics) -> None:
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    assert errors and all(d.span is not None and d.code for d in errors)
    ours = [d for d in errors if VALUE_CODES.fullmatch(d.code)]
    assert all(d.help for d in ours), [d.message for d in ours]


def read_all(trees: list[tuple[str, str, Path]]) -> list:
    """Every tree's files parse; each value read back, in one evaluation."""
    parse(path for _, _, tree in trees for path in tree.rglob("*.nix"))
    listed = " ".join(read_back(field, tree) for field, _, tree in trees)
    return eval_json(PRELUDE + f"[ {listed} ]") if trees else []


def test_legitimate_values_pass_and_one_character_more_is_refused(tmp_path):
    trees = accepted_trees(LEGITIMATE, tmp_path)
    assert [(f, v) for f, v, _ in trees] == LEGITIMATE
    expected = [FIELDS[field].expect(value) for field, value, _ in trees]
    assert read_all(trees) == expected
    for field, value in LEGITIMATE:
        spoilt = value + ("%x" if ":" in value and "/" not in value else "\n")
        assert not compile_with(field, spoilt).ok, (field, spoilt)


# Characters with a meaning somewhere these values go, and plain ones.
HOSTILE = ",=:%'\"$`\\ ;&|*?[]{}()<>#!~\n\t\r\x00\x7f\u2028\u0085é/."
PLAIN = "abcxyz019-_+@/."
NASTY = [
    "",
    ".",
    "..",
    "/",
    "//x",
    "a,b",
    "x=y",
    "${x}",
    "$(id)",
    "`id`",
    "fe80::1%eth0",
    "fe80::1%a\nb",
    "fd00::1",
    "/dev/sda",
    "/dev/disk/by-id/a=b",
    "x86_64-linux",
    "x86_64-linux ",
    "nbd:x",
    "/a/./b",
    "a" * 200,
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.sampled_from(PLAIN + HOSTILE), max_size=24),
    st.builds(
        lambda head, char, tail: "/" + head + char + tail,
        st.text(st.sampled_from(PLAIN), max_size=8),
        st.sampled_from(HOSTILE),
        st.text(st.sampled_from(PLAIN), max_size=8),
    ),
)
# Per field, legitimate values to start from: a hostile character inserted
# into one is the likeliest way past a check.
BASES = {field: [value for f, value in LEGITIMATE if f == field] for field in FIELDS}
BASES |= {"host_ipv6": ["fd00::2"], "mount": ["/srv"]}


@st.composite
def near_legitimate(draw, field: str) -> str:
    text = draw(st.sampled_from(BASES[field]))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(PLAIN + HOSTILE)) + text[at:]
    return text


def field_values(field: str):
    return st.tuples(st.just(field), st.one_of(VALUES, near_legitimate(field)))


PAIRS = st.lists(st.sampled_from(sorted(FIELDS)).flatmap(field_values), max_size=12)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(PAIRS)
def test_hostile_values_are_rejected_or_reach_nix_unchanged_and_harmless(
    tmp_path_factory, pairs
):
    trees = accepted_trees(pairs, tmp_path_factory.mktemp("trees"))
    for field, value, _ in trees:
        assert FIELDS[field].allowed(value), (field, value)
    expected = [FIELDS[field].expect(value) for field, value, _ in trees]
    assert read_all(trees) == expected


# -- systemd-tmpfiles and systemd-analyze read what fleetc and microvm.nix write --

PASSWD = "root:x:0:0::/root:/bin/sh\nmicrovm:x:999:999::/var/empty:/bin/false\n"
GROUP = "root:x:0:\nkvm:x:998:\nmicrovm:x:999:\n"
SEGMENT = st.text(st.sampled_from("abz09-_+@."), min_size=1, max_size=8)
STATE_DIRS = st.one_of(
    st.builds(lambda parts: "/" + "/".join(parts), st.lists(SEGMENT, min_size=1)),
    near_legitimate("state_dir"),
)


def fake_root(directory: Path) -> Path:
    (directory / "etc").mkdir(parents=True)
    (directory / "etc" / "passwd").write_text(PASSWD)
    (directory / "etc" / "group").write_text(GROUP)
    return directory


def tmpfiles_rules(tree: Path) -> list[str]:
    return eval_json(PRELUDE + f"(host {json.dumps(str(tree))}).systemd.tmpfiles.rules")


@settings(max_examples=15, deadline=None)
@given(STATE_DIRS)
def test_systemd_tmpfiles_creates_the_journal_rules_as_meant(tmp_path_factory, value):
    result = compile_with("state_dir", value)
    if not result.ok:
        return assert_located(result.diagnostics)
    base = tmp_path_factory.mktemp("tmpfiles")
    write_tree(result.files, base / "tree")
    rules = tmpfiles_rules(base / "tree")
    (base / "journal.conf").write_text("\n".join(rules) + "\n")
    root = fake_root(base / "root")
    run = ["systemd-tmpfiles", f"--root={root}", "--create", str(base / "journal.conf")]
    done = subprocess.run(run, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    journal = f"{value}/v/journal"
    assert (root / journal.lstrip("/")).is_dir()
    (link,) = (root / "var/log/journal").iterdir()
    assert str(link.readlink()) == f"{journal}/{link.name}"


# microvm.nix's host module (nixos-modules/host/default.nix) writes state_dir
# into these lines of microvm@.service, unquoted.
MICROVM_UNIT = """\
[Unit]
DefaultDependencies=no
ConditionPathExists={state_dir}/%i/current/bin/microvm-run

[Service]
WorkingDirectory={state_dir}/%i
ExecStart={state_dir}/%i/current/bin/microvm-run
"""


def verify_unit(state_dir: str, root: Path) -> subprocess.CompletedProcess:
    runner = root / state_dir.lstrip("/") / "v/current/bin/microvm-run"
    runner.parent.mkdir(parents=True)
    runner.write_text("#!/bin/sh\n")
    runner.chmod(0o755)
    unit = root / "etc/systemd/system/microvm@v.service"
    unit.parent.mkdir(parents=True)
    unit.write_text(MICROVM_UNIT.format(state_dir=state_dir))
    command = ["systemd-analyze", "verify", f"--root={root}", str(unit)]
    return subprocess.run(command, capture_output=True, text=True)


def test_systemd_reads_the_state_dir_fleetc_accepts_and_misreads_the_one_refused(
    tmp_path,
):
    """The check is needed: systemd splits a blank state_dir's ExecStart."""
    accepted = "/srv/vm+1@x/micro-vms"
    assert compile_with("state_dir", accepted).ok
    done = verify_unit(accepted, tmp_path / "good")
    assert (done.returncode, done.stderr) == (0, "")
    rejected = "/var/lib/my vms"
    assert not compile_with("state_dir", rejected).ok
    done = verify_unit(rejected, tmp_path / "bad")
    assert "/var/lib/my is not executable" in done.stderr


# udev(7): `KEY=="value"` pairs, values in double quotes without `"` or `\`;
# `==` matches globs, so a matched name must hold none of `*?[]|`.
UDEV_PAIR = r'[A-Z]+(==|=)"[^"\\*?\[\]|\x00-\x1f]*"'
UDEV_RULE = re.compile(rf"{UDEV_PAIR}(, {UDEV_PAIR})*")
DEVICES = st.builds(
    lambda name: "/dev/disk/by-id/" + name,
    st.one_of(
        st.text(st.sampled_from("abz09-_.:+@"), min_size=1, max_size=16),
        st.text(st.sampled_from(PLAIN + HOSTILE), min_size=1, max_size=16),
    ),
)


@settings(max_examples=20, deadline=None)
@given(st.lists(DEVICES, min_size=1, max_size=10))
def test_udev_rules_keep_to_udevs_grammar(tmp_path_factory, devices):
    trees = accepted_trees(
        [("image", device) for device in devices], tmp_path_factory.mktemp("udev")
    )
    read = " ".join(
        f"(host {json.dumps(str(tree))}).services.udev.extraRules" for *_, tree in trees
    )
    for (_, device, _), rules in zip(
        trees, eval_json(PRELUDE + f"[ {read} ]"), strict=True
    ):
        (rule,) = rules.splitlines()
        assert UDEV_RULE.fullmatch(rule), rule
        assert f'=="{device.removeprefix("/dev/")}"' in rule


def test_a_fleet_file_name_with_a_line_break_is_refused(tmp_path):
    (tmp_path / "fleet.toml").write_text(fleet_text("tag", "srv"))
    (tmp_path / "my\nfleet.toml").write_text(fleet_text("tag", "srv"))
    good = fleetc_check(tmp_path, "fleet.toml")
    bad = fleetc_check(tmp_path, "my\nfleet.toml")
    assert good.returncode == 0, good.stdout
    assert bad.returncode == 1
    (diagnostic,) = json.loads(bad.stdout)["diagnostics"]
    assert diagnostic["code"] == "F151"
    assert diagnostic["location"]["line"] == 1 and diagnostic["help"]
    # Any other name is fine in a comment line: the lock still reads back.
    result = compile_with("tag", "srv", name="fleet 2 (copy) #1.toml")
    assert result.ok
    assert tomllib.loads(result.lock_text)["version"] >= 1


def fleetc_check(cwd: Path, name: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "fleetc", "check", name, "--format", "json"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


def test_the_docs_table_lists_every_code_of_these_checks():
    docs = (ROOT / "docs" / "fleet-format.md").read_text()
    section = docs.split("## 8. Values that leave Nix")[1]
    ours = [code for code in CODES if VALUE_CODES.fullmatch(code)]
    assert ours and [code for code in ours if code not in section] == []


DSL = """\
fleet t {
  state-dir "/var/lib/my vms"
}

host h {
  vm v {
    share "data,id=x" /srv -> /srv
  }
}
"""


def test_the_dsl_locates_the_same_problems():
    source = Source("fleet.fleet", DSL)
    result = pipeline.compile(source, pipeline.Placement(PurePosixPath("/fleet")))
    found = {(d.code, *d.span.line_col) for d in result.diagnostics}
    # Counted by hand: the quoted value's opening quote.
    assert {("F512", 2, 13), ("F510", 7, 11)} <= found
