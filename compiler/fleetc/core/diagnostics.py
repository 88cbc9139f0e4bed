"""The one diagnostic type, its stable codes, and how diagnostics are printed."""

from __future__ import annotations

import re

from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from .source import Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


# Stable codes: never renumber, only add. The title is what `--format json` reports.
CODES: dict[str, str] = {
    # F0xx: reading the input
    "F001": "syntax error",
    "F002": "unknown key",
    "F003": "wrong type",
    "F004": "missing required key",
    "F005": "value not allowed",
    "F006": "unknown reference",
    "F007": "cannot read file",
    "F008": "number out of range",
    "F009": "blocks nested too deeply",
    # F010..F019: files fleetc reads (fleet file, twin, fleet.lock; exit 2)
    "F010": "file outside the repository",
    "F011": "not a regular file",
    "F012": "file too large",
    # F02x: module files and what Nix can see of them
    "F020": "absolute module path",
    "F021": "module outside the flake",
    "F022": "missing module file",
    "F023": "module not tracked by git",
    "F024": "output cannot reach the modules",
    "F025": "updateFlake without dir",
    # F026..F029: flake inputs (follows, non-flake inputs)
    "F026": "unknown follows target",
    "F027": "follows on a non-flake input",
    "F028": "nixpkgs followed twice",
    "F029": "non-flake input used as a flake",
    # F03x: the file system and the command line (exit 2), twin fleet files
    "F030": "cannot read file",
    "F031": "cannot write file",
    "F032": "file-system error",
    "F033": "would overwrite the fleet file it reads",
    "F034": "output is a directory",
    "F035": "twin fleet files describe different fleets",
    "F036": "twin fleet file has errors",
    "F037": "usage error",
    "F038": "output belongs to another fleet",
    # F04x: writing the generated tree
    "F040": "symbolic link in the generated tree",
    "F041": "unreadable write journal or pending list",
    # F042..F045: the manifest read back (a committed file: untrusted)
    "F042": "not a fleetc manifest",
    "F043": "manifest entry outside the tree",
    "F044": "manifest entry with control characters",
    "F045": "manifest entry reserved by fleetc, Nix or git",
    # F046..F049: the journal and pending list read back (untrusted too)
    "F046": "not a fleetc journal or pending list",
    "F047": "journal or pending list names a path fleetc does not own",
    "F048": "journal replaces or removes a file the manifest does not own",
    "F049": "git tracks fleetc's journal or pending list",
    # F050..F059: what `fleetc build` gives Nix (staging.py, staging_rules.py)
    "F050": "file others cannot read not given to Nix",
    "F051": "symbolic link not given to Nix",
    "F052": "flake.lock not a regular file (a link, too large)",
    # F06x: flake.lock, the pins of the flake that carries the fleet
    "F060": "inputs float: no flake.lock",
    "F061": "flake.lock lacks an input the fleet declares",
    "F062": "flake.lock holds an input the fleet no longer declares",
    "F063": "flake.lock pins an input from another URL",
    "F064": "flake.lock is not a Nix lock file",
    "F065": "the repository's flake lacks an input the fleet needs",
    "F066": "embed = true without a flake.nix at the repository's root",
    "F067": "embed = true with the output outside the repository",
    # F090..F099: warnings the fleet acknowledges (allow)
    "F090": "allow names an unknown code",
    "F091": "allowed warning not raised",
    # F1xx: names and machine-ids
    "F101": "invalid name",
    "F102": "duplicate name",
    "F110": "malformed machine-id",
    "F111": "uppercase machine-id",
    "F112": "all-zero machine-id",
    "F113": "duplicate machine-id",
    "F114": "missing machine-id",
    "F115": "journal link needs a machine-id",
    "F150": "not a Nix system double",
    "F151": "control character in the fleet file name",
    # F160..F169: renames and retired VMs (the fleet's side)
    "F160": "renamed_from names a VM still in the fleet",
    "F161": "renamed_from names a VM fleet.lock does not know",
    "F162": "VM removed while a lookalike was added (rename without renamed_from)",
    "F163": "delete_state names no retired VM",
    # F2xx: addresses and networks
    "F201": "malformed address",
    "F202": "address outside its network",
    "F203": "duplicate IPv4 address",
    "F204": "duplicate IPv6 address",
    "F205": "address not usable by a host",
    "F206": "address in a reserved range",
    "F207": "gateway outside its subnet",
    "F208": "overlapping networks",
    "F209": "missing address",
    "F210": "address family not on this network",
    "F211": "malformed network",
    "F212": "more than one interface on a network",
    # F213..F219: bonded uplinks, IPv4 via IPv6 gateways
    "F213": "uplink and bond disagree",
    "F214": "bond port listed twice",
    "F215": "bond without ports",
    "F216": "IPv6 gateway for IPv4 not on the link",
    # F217, F223: what a network reaches beyond its host
    "F217": "VM on a network its host has no uplink for",
    # F218..F229: addressing from the network, hosts that route
    "F218": "address written where the network assigns it",
    "F219": "addressing needs a bridge network",
    "F220": "router on a routed network",
    "F221": "router without a gateway to hold",
    "F222": "on a routed network away from its router",
    "F223": "routed network without NAT",
    # F3xx: MAC addresses
    "F301": "malformed MAC address",
    "F302": "multicast MAC address",
    "F303": "duplicate MAC address",
    "F304": "universally administered MAC address",
    "F305": "missing MAC address",
    # F4xx: tap ids
    "F401": "tap id too long",
    "F402": "illegal tap id",
    "F403": "duplicate tap id on a host",
    "F404": "missing tap id",
    # F405..F409: the host's other interface names (bridges, uplinks, VLANs)
    "F405": "interface name too long",
    "F406": "illegal interface name",
    "F407": "duplicate interface name on a host",
    # F5xx: shares and volumes
    "F501": "duplicate share tag",
    "F502": "duplicate virtiofs socket",
    "F503": "bad mount point",
    "F504": "duplicate volume image",
    "F505": "volume size not positive",
    "F506": "bad share source",
    "F507": "journal path outside the VM's shares",
    "F508": "bad journal value",
    "F509": "journal share hides journals in a share",
    "F510": "share tag not allowed",
    "F511": "share tag too long",
    "F512": "value not allowed in a path or option",
    "F513": "socket path too long",
    "F514": "state_dir not an absolute normalised path",
    # F515..F519: shares from the repository (through the world-readable store)
    "F515": "repository share outside the flake",
    "F516": "repository share source is not a directory",
    "F517": "repository share git ignores or does not track",
    "F518": "repository share holds a private file",
    "F520": "IPv6 zone id in a networkd unit",
    # F6xx: hypervisor, vsock, interface types
    "F601": "vsock CID below 3",
    "F602": "duplicate vsock CID on a host",
    "F603": "unknown hypervisor",
    "F604": "interface type not supported",
    "F605": "macvtap needs link and mode",
    "F606": "unknown share protocol",
    "F607": "unknown macvtap mode",
    # F620..F629: devices only where the fleet asks (vsock, vhost-net)
    "F620": "vsock = false with a vsock CID",
    "F621": "vhost on an interface that is not a tap",
    "F622": "vhost ignored by this hypervisor",
    "F623": "journal path not where journald writes",
    # F61x: what a hypervisor needs of its host
    "F610": "vfkit needs a macOS host",
    "F611": "vfkit needs the host's architecture",
    # F630..F649: passthrough devices, per-VM metadata, hosts without VMs
    "F630": "malformed device path",
    "F631": "device passed to two VMs on one host",
    "F632": "device bus not supported by the hypervisor",
    "F633": "microvm_host = false on a host with VMs",
    "F634": 'declare = "config" on a VM deployed imperatively',
    "F635": 'declare = "config" for another system than its host\'s',
    "F636": 'declare = "config" with runner_from_host',
    # F640..F649: microvm.nix options by path ([vms.<vm>.microvm])
    "F640": "unknown microvm.nix option",
    "F641": "microvm.nix option written from a fleet key",
    "F642": "value does not fit the microvm.nix option",
    "F643": "microvm.nix option only Nix can write",
    # F8xx: allocation and fleet.lock
    "F801": "fleet.lock syntax error",
    "F802": "bad value in fleet.lock",
    "F803": "fleet.lock conflicts with the fleet",
    "F804": "network exhausted",
    "F805": "fleet.lock would change (--locked)",
    # F806..F809: fleet.lock's checksum line
    "F806": "fleet.lock truncated (no checksum line)",
    "F807": "fleet.lock edited or damaged (checksum mismatch)",
    "F808": "fleet.lock without checksum (fleetc 0.1)",
    "F809": "fleet.lock edited by hand on purpose",
    # F810..F819: retired VMs in fleet.lock, plan
    "F810": "--forget names no retired VM",
    "F811": "VM retired from a host no longer in the fleet",
    # F820..F829: git merges of a fleet (fleet.lock, the tree, the merge driver)
    "F820": "merge gave one value to two VMs: the merged branch's VM gets another",
    "F821": "merge: both branches changed a VM's value differently",
    "F822": "merge driver given a path outside the repository or not a file",
    "F823": "fleet file unmerged, with conflict markers",
    # F9xx: the microvm.nix FAQ's recipes. F90x: deploying from CI ([fleet.deploy])
    "F901": "deploy needs the fleet's flake",
    "F902": "bad Hydra URL",
    "F903": "bad Hydra jobset",
    "F904": "not a Hydra job name",
    "F905": "bad binary cache URL",
    "F906": "Hydra cannot evaluate a channel nix_path",
    # F91x: block devices as volumes
    "F910": "bad block device path",
    "F911": "block device by kernel name",
    "F912": "microvm user in the disk group",
    # F92x: sops-nix secrets shared with VMs
    "F920": "secrets need a reboot of their VMs",
    # F93x: switching hosts (target, deploy_tool)
    "F930": "target is not an ssh destination",
    "F931": "host name reserved by colmena",
    "F932": "host name deploy-rs refuses",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the input: its code, severity, message and where."""

    code: str
    severity: Severity
    message: str
    span: Span | None
    label: str | None = None
    help: str | None = None
    # The file a problem is about when it has no span (I/O: the file as a whole).
    file: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(code: str, message: str, span: Span | None, **kw) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, **kw)


def warning(code: str, message: str, span: Span | None, **kw) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, **kw)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(diagnostic: Diagnostic) -> tuple:
    span = diagnostic.span
    where = (span.source.name, span.start) if span else ("", -1)
    return (*where, diagnostic.code, diagnostic.message)


# ANSI bold red / bold yellow for the severity word, on a terminal only.
COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m"}
RESET = "\033[0m"


def severity_word(diagnostic: Diagnostic, colour: bool = False) -> str:
    word = diagnostic.severity.value
    return f"{COLOURS[diagnostic.severity]}{word}{RESET}" if colour else word


# Characters a terminal acts on rather than shows: C0 controls but tab and
# newline, DEL, C1 controls, and the bidirectional overrides that make source
# read differently from what it is ("Trojan Source"). A fleet file or lock in a
# pull request may hold any of them, in a name a message quotes.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal would act on written as \\uXXXX."""
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def render_text(diagnostic: Diagnostic, colour: bool = False) -> str:
    """rustc-style: header, location, the source line with carets, help;
    everything but the colour terminal_safe."""
    return "\n".join(
        line if number == 0 else terminal_safe(line)
        for number, line in enumerate(_text_lines(diagnostic, colour))
    )


def _text_lines(diagnostic: Diagnostic, colour: bool) -> list[str]:
    head = severity_word(diagnostic, colour)
    message = terminal_safe(diagnostic.message)
    lines = [f"{head}[{diagnostic.code}]: {message}"]
    span = diagnostic.span
    gutter = " " * len(str(span.line_col[0])) if span else "  "
    if span is not None:
        lines += _snippet(span, diagnostic.label)
    elif diagnostic.label:
        lines.append(f"{gutter} = note: {diagnostic.label}")
    if diagnostic.help:
        lines.append(f"{gutter} = help: {diagnostic.help}")
    return lines


def _snippet(span: Span, label: str | None) -> list[str]:
    line, col = span.line_col
    text = span.source.line_text(line)
    width = max(1, min(span.end, span.start + len(text) - col + 1) - span.start)
    text, col, width = _window(text, col, width)
    gutter = " " * len(str(line))
    carets = " " * (col - 1) + "^" * width + (f" {label}" if label else "")
    return [
        f"{gutter}--> {span.location()}",
        f"{gutter} |",
        f"{line} | {text}",
        f"{gutter} | {carets}",
    ]


# Characters of a source line shown around the span: a line can be as long as
# the file (a pending list of 64 MiB of NUL bytes, each shown as \u0000).
SHOWN = 160


def _window(text: str, col: int, width: int) -> tuple[str, int, int]:
    """At most SHOWN characters of a long line, from a little before the
    span, `...` where it is cut; the column and width within them."""
    if len(text) <= SHOWN:
        return text, col, width
    start = max(0, min(col - 1 - SHOWN // 4, len(text) - SHOWN))
    before = "..." if start else ""
    after = "..." if start + SHOWN < len(text) else ""
    col += len(before) - start
    width = max(1, min(width, SHOWN - (col - 1 - len(before))))
    return before + text[start : start + SHOWN] + after, col, width


def render_line(diagnostic: Diagnostic) -> str:
    """One line, for file-system and usage problems (exit 2): `fleetc: message`."""
    return f"fleetc: {terminal_safe(diagnostic.message)}"


def render_github(diagnostic: Diagnostic) -> str:
    """A GitHub Actions workflow command; message data is %-escaped as GitHub requires."""
    parts = [f"file={diagnostic.file}"] if diagnostic.file is not None else []
    if diagnostic.span is not None:
        line, col = diagnostic.span.line_col
        parts = [f"file={diagnostic.span.source.name}", f"line={line}", f"col={col}"]
    parts.append(f"title={diagnostic.code}")
    text = diagnostic.message + (f" ({diagnostic.label})" if diagnostic.label else "")
    if diagnostic.help:
        text += f"\nhelp: {diagnostic.help}"
    kind = "error" if diagnostic.is_error else "warning"
    properties = ",".join(_gh_property(terminal_safe(p)) for p in parts)
    return f"::{kind} {properties}::{_gh_data(terminal_safe(text))}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(part: str) -> str:
    key, _, value = part.partition("=")
    return f"{key}={_gh_data(value).replace(':', '%3A').replace(',', '%2C')}"


def to_json(diagnostic: Diagnostic) -> dict:
    """One diagnostic of the `--format json` document (see report.py).

    `location` is null, or names a file: with line and column when the problem
    is at a place in it, with both null when it is about the file as a whole.
    """
    place = None
    if diagnostic.file is not None:
        place = {"file": diagnostic.file, "line": None, "column": None}
    if diagnostic.span is not None:
        line, col = diagnostic.span.line_col
        place = {"file": diagnostic.span.source.name, "line": line, "column": col}
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "title": CODES.get(diagnostic.code, ""),
        "message": diagnostic.message,
        "location": place,
        "label": diagnostic.label,
        "help": diagnostic.help,
    }
