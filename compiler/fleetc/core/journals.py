"""Where a VM's journal lives on its host, for the `journal` VM key.

`journal = "share"` is the FAQ's own share (<state_dir>/<vm>/journal);
`"none"` is no journal on the host at all; a path names where the guest's
journal already is inside one of the VM's own shares (a persistent /var
share, say), and the host links that share's source instead.
"""

from __future__ import annotations

import posixpath

from .model import JOURNAL_NONE, JOURNAL_SHARE, Share, Vm

MODES = (JOURNAL_SHARE, JOURNAL_NONE)


def is_path(mode: str) -> bool:
    return mode not in MODES


def containing_share(vm: Vm, path: str) -> Share | None:
    """The share of `vm` whose mount point holds `path` (the deepest one)."""
    target = posixpath.normpath(path)
    holding = [s for s in vm.shares if _inside(target, posixpath.normpath(s.mount))]
    return max(holding, key=lambda s: len(posixpath.normpath(s.mount)), default=None)


def _inside(path: str, mount: str) -> bool:
    return path == mount or path.startswith(mount.rstrip("/") + "/")


def host_path(state_dir: str, vm: Vm, share: Share, path: str) -> str:
    """Where `path` of the guest is on the host: inside the share's source,
    which microvm.nix takes relative to <state_dir>/<vm> when not absolute."""
    source = posixpath.join(state_dir, vm.name, share.source)
    inner = posixpath.relpath(posixpath.normpath(path), posixpath.normpath(share.mount))
    return posixpath.normpath(posixpath.join(source, inner))
