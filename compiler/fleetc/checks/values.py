"""Values microvm.nix splices unquoted into the hypervisor's command line, into
shell scripts, socket paths and config files (F510..F514).

fleetc escapes every string for Nix, but microvm.nix then writes these as they
are (microvm.nix lib/runners/*.nix, lib/runner.nix, lib/volumes.nix,
nixos-modules/microvm/virtiofsd, nixos-modules/host):

- share `tag`: qemu `tag=`/`mount_tag=`, cloud-hypervisor `--fs tag=`,
  crosvm `--shared-dir <source>:<tag>`, kvmtool `--9p <source>,<tag>`, the
  supervisord section `[program:virtiofsd-<tag>]`, a directory
  `share/microvm/virtiofs/<tag>` made by an unquoted `mkdir`, and the default
  socket `<vm>-virtiofs-<tag>.sock`;
- share `source` and `socket`: qemu `-fsdev path=`, `-chardev path=`,
  cloud-hypervisor `socket=`, `echo "<source>"` in the runner's build script;
- volume `image`: qemu `-drive file=<image>,...`, cloud-hypervisor
  `path=<image>,...`, crosvm and kvmtool `<image>,...`, `'<image>'` in the
  script that creates it;
- `state_dir`: unquoted in microvm.nix's shell scripts (`mkdir -p
  <state_dir>/<vm>`) and in systemd's ExecStart=, WorkingDirectory= and
  ConditionPathExists= (where `%` starts a specifier), and in fleetc's own
  tmpfiles rules.

Characters with a meaning there are rejected, not escaped: one string is both
a file name (for mkfs, virtiofsd, tmpfiles) and an option value, so qemu's
doubled commas would name another file everywhere else, and cloud-hypervisor,
crosvm and kvmtool have no escape at all.
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterator

from ..core.diagnostics import Diagnostic, error
from .common import vm_shares, vm_volumes
from ..core.model import Fleet, Share, Vm, Volume
from ..core.source import Span
from .storage import socket_of

# POSIX's portable file name characters, `/`, and `+` and `@` (nix store paths).
NOT_PATH = re.compile(r"[^A-Za-z0-9._+@/-]")
# Absolute images may also hold `:` (udev's /dev/disk/by-path/pci-0000:00:1f.2):
# qemu reads `<protocol>:` only before a path's first `/`.
NOT_ABSOLUTE_IMAGE = re.compile(r"[^A-Za-z0-9._+@/:-]")
NOT_TAG = re.compile(r"[^A-Za-z0-9._-]")
# virtio-fs's config space holds a 36-byte tag (virtio spec 5.11.4); 9p tags
# keep to it too, so a share can change `proto`.
TAG_BYTES = 36
# struct sockaddr_un's sun_path: 108 bytes with the terminating NUL.
SOCKET_BYTES = 107

PATH_HELP = "use letters, digits and `._+@-/`"
TAG_HELP = "use 1 to 36 letters, digits, `.`, `_` and `-` (not `.` or `..`)"
IMAGE_HELP = PATH_HELP + "; `:` only in an absolute path"
# Why a character cannot stay: the first one found is explained.
WHY = {
    ",": "qemu, cloud-hypervisor, crosvm and kvmtool split their options at `,`",
    "=": "the hypervisors read `key=value` options",
    ":": "qemu reads `<protocol>:` in a file name, crosvm splits `<source>:<tag>`",
    "%": "systemd reads `%` as a specifier in microvm.nix's units",
    "'": "microvm.nix quotes it with `'` in a shell script",
    '"': 'microvm.nix quotes it with `"` in a shell script',
    "$": "microvm.nix writes it into shell scripts, where `$` expands",
    "`": "microvm.nix writes it into shell scripts, where ` runs a command",
    "\\": "microvm.nix writes it into shell scripts and systemd units",
}
TAG_PATH_WHY = "the tag names a directory and the default virtiofs socket"
BLANK_WHY = "microvm.nix writes it unquoted into shell scripts and systemd units"


def shown(text: str) -> str:
    """A value in a message: control characters as escapes, on one line."""
    return text.encode("unicode_escape").decode("ascii")


def strays(text: str, stray: re.Pattern) -> list[str]:
    """The characters of `text` that `stray` matches (those not allowed), each
    once; a clean value costs one scan in C."""
    return sorted(set(stray.findall(text)))


def why(chars: list[str]) -> str:
    for char in chars:
        if char in WHY:
            return WHY[char]
    return BLANK_WHY


def listing(chars: list[str]) -> str:
    return " ".join(f"`{shown(char)}`" for char in chars)


def bad_chars(
    what: str,
    text: str,
    stray: re.Pattern,
    span: Span | None,
    help: str = PATH_HELP,
    reason: str | None = None,
) -> Diagnostic:
    """F512 naming the characters not allowed, and why the first one is not."""
    chars = strays(text, stray)
    reason = reason or why(chars)
    message = f"{what} `{shown(text)}` contains {listing(chars)}: {reason}"
    return error("F512", message, span, help=help)


def check_share_tags(fleet: Fleet) -> Iterator[Diagnostic]:
    for _, share in vm_shares(fleet):
        tag = share.tag
        # Without strays the tag is ASCII: its characters are its bytes.
        if NOT_TAG.search(tag) or tag in ("", ".", "..") or len(tag) > TAG_BYTES:
            yield from _tag(share)


def _tag(share: Share) -> Iterator[Diagnostic]:
    tag, span = share.tag, share.at("tag")
    if chars := strays(tag, NOT_TAG):
        reason = why(chars) if chars != ["/"] else TAG_PATH_WHY
        message = f"share tag `{shown(tag)}` contains {listing(chars)}: {reason}"
        yield error("F510", message, span, help=TAG_HELP)
    elif tag in ("", ".", ".."):
        message = f"share tag `{tag}` names no file: it is a directory name too"
        yield error("F510", message, span, help=TAG_HELP)
    elif len(tag.encode()) > TAG_BYTES:
        size = len(tag.encode())
        message = f"share tag `{tag}` is {size} bytes; virtio-fs allows {TAG_BYTES}"
        yield error("F511", message, span, help="use a shorter tag")


def check_share_paths(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm, share in vm_shares(fleet):
        if NOT_PATH.search(share.source):
            span = share.at("source")
            yield bad_chars("share source", share.source, NOT_PATH, span)
        if share.socket is not None:
            yield from _written_socket(share)
        yield from _socket_length(vm, share)


def _written_socket(share: Share) -> Iterator[Diagnostic]:
    socket, span = share.socket, share.at("socket")
    if strays(socket, NOT_PATH):
        yield bad_chars("share socket", socket, NOT_PATH, span)
    elif not socket or ".." in socket.split("/") or socket.endswith("/"):
        message = f"share socket `{socket}` must be a file name or path without `..`"
        help = "relative sockets are in <state_dir>/<vm>, e.g. `srv.sock`"
        yield error("F512", message, span, help=help)


def _socket_length(vm: Vm, share: Share) -> Iterator[Diagnostic]:
    socket = socket_of(vm, share)
    if socket is None or len(socket) * 4 <= SOCKET_BYTES:
        return  # (at most 4 bytes a character in UTF-8)
    if len(socket.encode()) <= SOCKET_BYTES:
        return
    span = share.at("socket") if share.socket else share.at("tag")
    size = len(socket.encode())
    message = f"virtiofs socket `{shown(socket)}` is {size} bytes;"
    message += f" a unix socket path holds at most {SOCKET_BYTES}"
    help = "set a shorter `socket` (relative to <state_dir>/<vm>)"
    yield error("F513", message, span, help=help)


def check_volume_images(fleet: Fleet) -> Iterator[Diagnostic]:
    for _, volume in vm_volumes(fleet):
        yield from _image(volume.image, volume)


def _image(image: str, volume: Volume) -> Iterator[Diagnostic]:
    stray = NOT_ABSOLUTE_IMAGE if image.startswith("/") else NOT_PATH
    if stray.search(image):
        span = volume.at("image")
        yield bad_chars("volume image", image, stray, span, IMAGE_HELP)
    elif not image or ".." in image.split("/") or image.endswith("/"):
        message = f"volume image `{image}` must be a non-empty file path without `..`"
        help = "absolute, or relative to <state_dir>/<vm>"
        yield error("F512", message, volume.at("image"), help=help)


# Mount points go to the guest's fstab and mount units: NixOS escapes blanks
# there, but a line break or control character ends the fstab line.
NOT_MOUNT = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029]")
FSTAB = "a line break or control character ends the guest's fstab line"
MOUNT_HELP = "leave blanks and control characters out of mount points"


def check_mount_points(fleet: Fleet) -> Iterator[Diagnostic]:
    for vm in fleet.vms:
        for node in (*vm.shares, *vm.volumes):
            if node.mount and NOT_MOUNT.search(node.mount):
                span = node.at("mount")
                yield bad_chars(
                    "mount point", node.mount, NOT_MOUNT, span, MOUNT_HELP, FSTAB
                )


def check_state_dir(fleet: Fleet) -> Iterator[Diagnostic]:
    state_dir, span = fleet.state_dir, fleet.at("state_dir")
    if strays(state_dir, NOT_PATH):
        yield bad_chars("state_dir", state_dir, NOT_PATH, span)
    elif not is_clean_absolute(state_dir):
        message = f"state_dir `{state_dir}` must be an absolute, normalised path"
        help = "e.g. /var/lib/microvms: no `.`, `..`, `//` or trailing `/`, not `/`"
        yield error("F514", message, span, help=help)


def is_clean_absolute(path: str) -> bool:
    # normpath keeps a leading `//` (POSIX leaves its meaning open).
    normal = posixpath.normpath(path) == path and "//" not in path
    return path.startswith("/") and path != "/" and normal
