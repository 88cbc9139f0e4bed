"""The generate path's fast paths (issue 24) against the plain code they
replaced, on random input, and the writer on real files with real times.

- output/tree.py's Tree looks at files through string paths and descriptors,
  not a pathlib object per file: the same kinds, refusals, bytes and hashes as
  the pathlib Tree it replaced, on random trees of files, directories, links
  and FIFOs;
- the manifest is written entry by entry with json's C encoder: the same bytes
  as `json.dumps(document, indent=2)`;
- `generate --check` and `diff` read the tree once, byte for byte, keeping
  only the texts that differ: the same diff and verdict as reading every text
  twice and comparing them as text;
- the writer still reads every file it owns: a file whose size and times are
  those fleetc left is still compared by its bytes (a same-size hand edit in
  the same second is refused, a changed file is rewritten).
"""

from __future__ import annotations

import difflib
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetc.output.compare import changes, desired, diff_of, on_disk
from fleetc.output.owner import Owner
from fleetc.output.transaction import WriteRefused, json_lines
from fleetc.output.tree import Tree, file_hash
from fleetc.output.manifest_file import manifest_of, manifest_text, parse_manifest
from fleetc.output.writer import MANIFEST, write_tree

# -- the plain Tree: pathlib, lstat, an io file opened without following -------


class PlainTree:
    """output/writer.py's Tree before the fast path (pathlib, io.open)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.kinds: dict[str, str] = {}
        self.new_dirs: set[str] = set()

    def read(self, name, wanted, limit=-1):
        path = self._file(name, wanted)
        if path is None:
            return None
        with self._opened(path) as file:
            return file.read(limit + 1 if limit >= 0 else -1)

    def hash(self, name, wanted):
        path = self._file(name, wanted)
        if path is None:
            return None
        with self._opened(path) as file:
            return file_hash(file)

    def _file(self, name, wanted):
        if not self._parents_ready(name, wanted):
            return None
        kind = plain_kind(self.out_dir / name)
        if kind == "link":
            raise WriteRefused(f"{self.out_dir / name} is a symbolic link", "", "F040")
        if kind == "missing" or (kind != "file" and not wanted):
            return None
        if kind != "file":
            raise WriteRefused(not_a(self.out_dir / name, "a file"), "")
        return self.out_dir / name

    def _opened(self, path):
        flags = os.O_NOFOLLOW | os.O_NONBLOCK
        file = open(path, "rb", opener=lambda p, f: os.open(p, f | flags))
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            file.close()
            raise WriteRefused(not_a(path, "a file"), "")
        return file

    def _parents_ready(self, name, wanted):
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            parent = "/".join(parts[:depth])
            if parent not in self.kinds:
                self.kinds[parent] = plain_kind(self.out_dir / parent)
            kind = self.kinds[parent]
            if kind == "link":
                raise WriteRefused(
                    f"{self.out_dir / parent} is a symbolic link", "", "F040"
                )
            if kind == "missing" and wanted:
                self.new_dirs.update(
                    "/".join(parts[:d]) for d in range(depth, len(parts) + 1)
                )
            if kind != "dir":
                if wanted and kind != "missing":
                    raise WriteRefused(not_a(self.out_dir / parent, "a directory"), "")
                return False
        return True


def not_a(path, expected):
    return (
        f"{path} exists and was not written by fleetc (fleetc needs {expected} there)"
    )


def plain_kind(path: Path) -> str:
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else "other"


PARTS = ["a", "b", "c.nix"]
NAMES = st.lists(st.sampled_from(PARTS), min_size=1, max_size=3).map("/".join)
KINDS = st.sampled_from(["file", "file", "dir", "link-in", "link-out", "fifo"])


def plant(root: Path, name: str, kind: str, outside: Path) -> None:
    """One thing at `name` (its parents made as directories where free)."""
    path = root / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a file or link (or a loop) is on the way: the tree keeps it
    if os.path.lexists(path):
        return
    if kind == "file":
        path.write_bytes(name.encode() * 3)
    elif kind == "dir":
        path.mkdir()
    elif kind == "link-in":
        path.symlink_to(root / "a")
    elif kind == "link-out":
        path.symlink_to(outside)
    else:
        os.mkfifo(path)


def outcome(tree, call: str, name: str, wanted: bool):
    """What one look gives: its value, or the refusal's text and code."""
    try:
        return "value", getattr(tree, call)(name, wanted)
    except WriteRefused as refusal:
        return "refused", str(refusal), refusal.code == "F040"
    except OSError as problem:  # a link swapped in after the lstat, say
        return "os error", problem.errno


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    planted=st.lists(st.tuples(NAMES, KINDS), max_size=6),
    asked=st.lists(st.tuples(st.sampled_from(["read", "hash"]), NAMES, st.booleans())),
)
def test_the_tree_sees_what_the_plain_tree_sees(tmp_path_factory, planted, asked):
    base = tmp_path_factory.mktemp("tree")
    root, outside = base / "generated", base / "outside"
    outside.mkdir()
    (outside / "secret.nix").write_text("secret\n")
    root.mkdir()
    for name, kind in planted:
        plant(root, name, kind, outside)
    fast, plain = Tree(root), PlainTree(root)
    for call, name, wanted in asked:
        assert outcome(fast, call, name, wanted) == outcome(plain, call, name, wanted)
    assert fast.new_dirs == plain.new_dirs


def test_random_trees_reach_every_kind(tmp_path):
    """The generator's trees do hold links and FIFOs where a file is asked."""
    root, outside = tmp_path / "generated", tmp_path / "outside"
    outside.mkdir()
    root.mkdir()
    for name, kind in [("a/b", "link-out"), ("c.nix", "fifo"), ("b", "link-in")]:
        plant(root, name, kind, outside)
    fast = Tree(root)
    assert outcome(fast, "hash", "a/b/c.nix", True)[0] == "refused"
    assert outcome(fast, "read", "c.nix", True)[0] == "refused"
    assert outcome(fast, "read", "c.nix", False) == ("value", None)
    assert outcome(fast, "hash", "b", False)[2] is True  # F040


# -- the manifest's entries by json's C encoder --------------------------------

TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    owned=st.dictionaries(TEXT, TEXT, max_size=6),
    fleet=st.none() | st.lists(TEXT, min_size=1, max_size=2),
)
def test_the_manifest_is_json_dumps_byte_for_byte(owned, fleet):
    owner = None if fleet is None else Owner(tuple(fleet))
    document = {"generator": "fleetc", **({} if owner is None else {"fleet": fleet})}
    plain = json.dumps({**document, "files": owned}, indent=2) + "\n"
    assert manifest_of(owned, owner) == plain


def test_the_manifest_of_files_names_each_one_with_its_hash():
    text = manifest_text({"vms/b.nix": "b\n", "flake.nix": "{ }\n"})
    assert list(json.loads(text)["files"]) == ["flake.nix", "vms/b.nix"]


ITEMS = TEXT | st.lists(TEXT, max_size=2)


@settings(max_examples=300, deadline=None)
@given(document=st.dictionaries(TEXT, st.lists(ITEMS, max_size=4), min_size=1))
def test_the_journal_and_pending_list_read_back_as_written(document):
    """Their entries by json's C encoder, a line each: what json.dumps with
    `indent` wrote parses to the same document."""
    text = json_lines(document)
    assert json.loads(text) == json.loads(json.dumps(document, indent=1))
    assert text.count("\n") == 2 + sum(len(items) + 2 for items in document.values())


# -- real files, real times: every owned file is still compared by its bytes ---


def same_times(path: Path, status: os.stat_result) -> None:
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def test_a_same_size_edit_with_the_times_put_back_is_refused(tmp_path):
    """A hand edit of the same size, its mtime set back to fleetc's (the same
    second, the same nanosecond): found by the bytes, not by size or time."""
    out = tmp_path / "generated"
    files = {"flake.nix": "{ a = 1; }\n", "vms/a.nix": "{ b = 1; }\n"}
    write_tree(out, files)
    path = out / "vms/a.nix"
    before = os.stat(path)
    with open(path, "r+b") as file:  # the same inode, the same size
        file.write(b"{ b = 2; }\n")
    same_times(path, before)
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(WriteRefused, match="edited by hand"):
        write_tree(out, files)
    with pytest.raises(WriteRefused, match="edited by hand"):
        write_tree(out, {**files, "vms/a.nix": "{ b = 3; }\n"})


def test_a_changed_file_of_the_same_size_and_time_is_rewritten(tmp_path):
    """The new text has the old one's size; the file's times are fleetc's:
    the bytes differ, so it is written (and only it)."""
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ a = 1; }\n", "vms/a.nix": "{ b = 1; }\n"})
    status = os.stat(out / "vms/a.nix")
    report = write_tree(out, {"flake.nix": "{ a = 1; }\n", "vms/a.nix": "{ b = 4; }\n"})
    assert report.changed == ("vms/a.nix",)
    assert (out / "vms/a.nix").read_text() == "{ b = 4; }\n"
    assert os.stat(out / "flake.nix").st_size == status.st_size


def test_a_planted_file_with_fleetcs_hash_in_a_planted_manifest_is_not_rewritten(
    tmp_path,
):
    """A manifest that owns a planted file at that file's hash: the writer
    reads the file, finds fleetc's bytes are not there, and writes them."""
    out = tmp_path / "generated"
    write_tree(out, {"flake.nix": "{ }\n"})
    planted = "{ evil = true; }\n"
    (out / "flake.nix").write_text(planted)
    document = json.loads((out / ".fleetc-manifest.json").read_text())
    document["files"]["flake.nix"] = manifest_hash(planted)
    (out / ".fleetc-manifest.json").write_text(json.dumps(document, indent=2) + "\n")
    report = write_tree(out, {"flake.nix": "{ }\n"})
    assert report.changed == ("flake.nix",)
    assert (out / "flake.nix").read_text() == "{ }\n"


def manifest_hash(text: str) -> str:
    return json.loads(manifest_text({"x": text}))["files"]["x"]


# -- generate --check and diff: the tree read once, only what differs kept -----


def plain_compared(out_dir, files, owner=None):
    """output/compare.py's compared() before the fast path: every text read
    and held, compared as text."""
    wanted = desired(files, owner)
    data = Tree(out_dir).read(MANIFEST, wanted=False) if out_dir.is_dir() else None
    owned = parse_manifest(out_dir, data).files
    names = set(wanted) | set(owned) | {MANIFEST}
    return names, on_disk(out_dir, names), wanted, set(owned) != set(files)


def plain_diff_and_stale(out_dir, files, shown_as):
    names, current, wanted, owned_set_changes = plain_compared(out_dir, files)
    stale = any(current.get(name) != wanted.get(name) for name in names)
    if not owned_set_changes:
        names = names - {MANIFEST}
    chunks = []
    for name in sorted(names):
        old, new = current.get(name), wanted.get(name)
        if old == new:
            continue
        label = f"{shown_as}/{name}"
        chunks += difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            (new or "").splitlines(keepends=True),
            fromfile="/dev/null" if old is None else f"a/{label}",
            tofile="/dev/null" if new is None else f"b/{label}",
        )
    return "".join(chunks), stale


FILE_NAMES = st.sampled_from(["flake.nix", "vms/a.nix", "vms/b.nix", "hosts/h.nix"])
FILE_TEXTS = st.text(st.sampled_from(["a", "é", "\n", " "]), max_size=8)
TREES = st.dictionaries(FILE_NAMES, FILE_TEXTS, max_size=4)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(written=TREES, edits=TREES, gone=st.sets(FILE_NAMES), wanted=TREES)
def test_diff_and_staleness_match_the_plain_comparison(
    tmp_path_factory, written, edits, gone, wanted
):
    """A tree fleetc wrote, then edited, added to and cut by hand: the diff
    and the verdict are the plain code's."""
    out = tmp_path_factory.mktemp("compare") / "generated"
    if written:
        write_tree(out, written)
    for name, text in edits.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    for name in gone:
        (out / name).unlink(missing_ok=True)
    found = changes(out, wanted)
    plain_diff, plain_stale = plain_diff_and_stale(out, wanted, "generated")
    assert diff_of(found, "generated") == plain_diff
    assert bool(found.differing) == plain_stale


def test_a_file_not_in_utf8_where_an_empty_one_belongs_is_stale(tmp_path):
    """Compared byte for byte: the plain comparison decoded a file that is not
    UTF-8 as "" and so found it equal to an empty generated file."""
    out = tmp_path / "generated"
    write_tree(out, {"empty.nix": ""})
    (out / "empty.nix").write_bytes(b"\xff")
    assert changes(out, {"empty.nix": ""}).differing == {"empty.nix": ("", "")}
    assert plain_diff_and_stale(out, {"empty.nix": ""}, "generated")[1] is False


# -- reads by os.read sized by fstat, not through an io file -------------------

SIZES = st.sampled_from([0, 1, 2, 3, 7, 8, 9, 100])
LIMITS = st.sampled_from([-1, 0, 1, 2, 7, 8, 50])


@settings(max_examples=200, deadline=None)
@given(size=SIZES, limit=LIMITS, hint=st.integers(0, 120), piece=st.booleans())
def test_reads_and_hashes_are_the_io_files(tmp_path_factory, size, limit, hint, piece):
    """Tree.read and Tree.hash give what io's read(limit + 1) and file_hash
    give, at every size around the limit; and fd_read and fd_hash do with any
    size for a hint (the file grew or shrank since its fstat), with pieces of
    a few bytes as with pieces of a MiB."""
    import fleetc.output.tree as tree_module

    root = tmp_path_factory.mktemp("reads")
    data = bytes(i % 251 for i in range(size))
    (root / "f.nix").write_bytes(data)
    fast, plain = Tree(root), PlainTree(root)
    assert fast.read("f.nix", True, limit) == plain.read("f.nix", True, limit)
    assert fast.hash("f.nix", True) == plain.hash("f.nix", True)
    pieces = 3 if piece else tree_module.DIGEST_PIECE
    with open(root / "f.nix", "rb") as file:
        fd = file.fileno()
        most = None if limit < 0 else limit + 1
        original, tree_module.DIGEST_PIECE = tree_module.DIGEST_PIECE, pieces
        try:
            assert tree_module.fd_read(fd, hint, most) == data[: most or None]
            os.lseek(fd, 0, os.SEEK_SET)
            assert tree_module.fd_hash(fd, hint) == file_hash(
                open(root / "f.nix", "rb")
            )
        finally:
            tree_module.DIGEST_PIECE = original
