"""A host's `target`: the ssh destination deploys reach it at, `[user@]host[:port]`.

deploy-rs passes it to ssh as `<sshUser>@<hostname>` with `sshOpts`, colmena
as `targetUser`, `targetHost` and `-p <targetPort>`, nixos-rebuild as
`--target-host`, and `fleetc plan` prints it in commands to paste into a shell.
Each part is one word of ssh's argv there, so a part that ssh (or a shell)
would read as something else is refused rather than quoted: a leading `-`
(an option), blanks (another word), shell metacharacters, `@` or `:` inside a
part. An IPv6 address is written in brackets when a port follows
(`root@[2001:db8::1]:2222`); bare, it is the whole host.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

# POSIX portable user names (useradd's default rule, plus `.`), 32 bytes at most.
USER = re.compile(r"[A-Za-z_][A-Za-z0-9._-]{0,31}\Z")
# A DNS name or an ssh_config alias: labels of letters, digits, `_` and `-`,
# never starting with `-`; 253 bytes at most, as DNS allows.
LABEL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\Z")
PORT = re.compile(r"[1-9][0-9]{0,4}\Z")
# What a part may hold at all: anything else means something to ssh or a shell.
SAFE = re.compile(r"[A-Za-z0-9._@:\[\]-]*\Z")


@dataclass(frozen=True)
class Target:
    """An ssh destination, `[user@]host[:port]`, taken apart."""

    host: str
    user: str | None = None
    port: int | None = None

    @property
    def destination(self) -> str:
        """`[user@]host` as ssh and nixos-rebuild take it (the port apart)."""
        return f"{self.user}@{self.host}" if self.user else self.host


class BadTarget(ValueError):
    """Why a `target` is not a destination fleetc can hand to ssh."""


def parse(text: str) -> Target:
    """The destination in `text`; BadTarget (with the reason) otherwise."""
    if not text:
        raise BadTarget("it is empty")
    if text.startswith("-"):
        raise BadTarget("it starts with `-`, which ssh reads as an option")
    if not SAFE.match(text):
        raise BadTarget(f"{unsafe(text)} would change its meaning in ssh's argv")
    user, at, rest = text.rpartition("@")
    if at and not USER.match(user):
        raise BadTarget(f"`{user}` is not a user name")
    host, port = split_port(rest)
    return Target(checked_host(host), user or None, port)


def unsafe(text: str) -> str:
    """The first character SAFE does not allow, as a message names it."""
    found = next(c for c in text if not SAFE.match(c))
    named = {" ": "a blank", "\t": "a tab", "\n": "a line break"}.get(found)
    return named or (f"`{found}`" if found.isprintable() else f"U+{ord(found):04X}")


def split_port(rest: str) -> tuple[str, int | None]:
    """host and port: `[v6]:port`, `[v6]`, `name:port`, a bare IPv6, `name`."""
    if rest.startswith("["):
        inside, closed, after = rest[1:].partition("]")
        if not closed or (after and not after.startswith(":")):
            raise BadTarget("a bracketed IPv6 address ends with `]` or `]:<port>`")
        return bracketed(inside), port_of(after[1:]) if after else None
    if rest.count(":") == 1:
        host, _, port = rest.partition(":")
        return host, port_of(port)
    return rest, None


def bracketed(inside: str) -> str:
    try:
        return str(ipaddress.IPv6Address(inside))
    except ValueError:
        raise BadTarget(f"`[{inside}]` is not an IPv6 address") from None


def port_of(text: str) -> int:
    if PORT.match(text) and int(text) <= 65535:
        return int(text)
    raise BadTarget(f"`{text}` is not a port (1 to 65535)")


def checked_host(host: str) -> str:
    if not host:
        raise BadTarget("it names no host")
    if ":" in host:
        return bare_ipv6(host)
    if "[" in host or "]" in host:
        raise BadTarget("brackets hold an IPv6 address: `[2001:db8::1]`")
    labels = host.split(".")
    if len(host) > 253 or not all(LABEL.match(label) for label in labels):
        raise BadTarget(f"`{host}` is not a host name or address")
    return host


def bare_ipv6(host: str) -> str:
    try:
        return str(ipaddress.IPv6Address(host))
    except ValueError:
        message = f"`{host}` is not a host name or address"
        raise BadTarget(
            message + " (an IPv6 address with a port: `[addr]:port`)"
        ) from None


def of_host(name: str, target: str | None) -> Target:
    """A checked host's destination: its `target`, else its name (ssh's and
    colmena's default)."""
    return parse(target) if target is not None else Target(name)
