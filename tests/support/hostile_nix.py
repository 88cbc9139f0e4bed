"""Build's stand-in for `nix` in the hostile-repository test (tests/support/hostile.py).

`fleetc build` hands Nix a staged copy of the fleet (`path:<dir>#...`), which
Nix would copy into the world-readable store. This stand-in looks at that copy
as Nix would find it and says on stderr, one `HOSTILE-STAGING-LEAK` line each,
what must never be there: a link leading out of the copy, a file holding a
sentinel or private marker ($HOSTILE_MARKERS), a file others may not read.
Then, as Nix does when it locks path inputs, it writes flake.lock beside the
staged flake.nix (fleetc copies it back); `nix flake lock` (fleetc lock,
update) then succeeds, and an evaluation fails: there is no real evaluation
here, so every target is reported failed (exit 3).
"""

import os
import stat
import sys

LEAK = "HOSTILE-STAGING-LEAK"


def staged(argv):
    for arg in argv:
        if arg.startswith("path:"):
            return arg[len("path:") :].split("#")[0]
    return None


def inside(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def look(root, markers):
    root = os.path.realpath(root)
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            yield from judge(os.path.join(directory, name), root, markers)


def judge(path, root, markers):
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        if not inside(os.path.realpath(path), root):
            yield f"{LEAK}: {path} links out of the staged copy"
        return
    if stat.S_ISREG(mode):
        if not mode & stat.S_IROTH:
            yield f"{LEAK}: {path} is readable only by its owner"
        with open(path, "rb") as handle:
            data = handle.read(1 << 24)
        for marker in markers:
            if marker and marker.encode() in data:
                yield f"{LEAK}: {path} holds {marker[:7]}"
    elif not stat.S_ISDIR(mode):
        yield f"{LEAK}: {path} is neither a file, a directory nor a link"


def main(argv):
    root = staged(argv)
    if root is None:
        print("stand-in nix: no path: flake given", file=sys.stderr)
        return 1
    markers = os.environ.get("HOSTILE_MARKERS", "").split(",")
    for line in look(root, markers):
        print(line, file=sys.stderr)
    if "eval" in argv or "lock" in argv:
        lock = os.path.join(root, "flake.lock")
        with open(lock, "w") as handle:
            handle.write('{"nodes": {"root": {}}, "root": "root", "version": 7}\n')
    if "lock" in argv:
        return 0  # `nix flake lock`: the lock is written
    print("error: the hostile test's stand-in nix evaluates nothing", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
