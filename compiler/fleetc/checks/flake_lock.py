"""flake.lock against the inputs the fleet declares (F060..F065).

Standalone, the lock is the generated flake's (`<output>/flake.lock`, made
by `fleetc lock`); embedded (`embed = true`), it is the repository's own
root flake.lock, which may pin more than the fleet needs. `fleetc build`
evaluates with `--no-update-lock-file`: every input the fleet declares must
be pinned there, or Nix stops ("requires lock file changes"). Here that is
said first, naming the input where the fleet file declares it.

Pure: the caller reads the file (commands/flake lock reading).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import flake_inputs
from ..core import flake_pins as flake_lock
from ..core.diagnostics import Diagnostic, error, warning
from ..core.model import Fleet
from ..core.source import Source, Span


@dataclass(frozen=True)
class LockFound:
    """The flake.lock a fleet is pinned by, as read: `source` None when there
    is none; `embedded` when it is the repository's own root flake's."""

    name: str
    source: Source | None
    embedded: bool = False


def check_flake_lock(fleet: Fleet, found: LockFound) -> list[Diagnostic]:
    if found.source is None:
        return [floating(found)]
    try:
        pins = flake_lock.parse(found.source.text)
    except flake_lock.BadFlakeLock as why:
        message = f"{found.name} is not a Nix lock file: {why}"
        help = f"restore it from version control, or delete it and run {LOCK}"
        return [error("F064", message, None, help=help, file=found.name)]
    declared = flake_inputs.urls(fleet)
    problems = [missing(fleet, found, name) for name in declared if name not in pins]
    if found.embedded:  # the root flake's own inputs and URLs are its business
        return problems
    problems += [dropped(found, name) for name in pins if name not in declared]
    problems += [
        moved(fleet, found, pins[name], url)
        for name, url in declared.items()
        if name in pins
        and pins[name].original is not None
        and flake_lock.same_source(url, pins[name].original) is False
    ]
    return problems


LOCK = "`fleetc lock FLEET`"


def floating(found: LockFound) -> Diagnostic:
    if found.embedded:
        message = f"inputs float: the repository's flake has no {found.name}"
        help = "run `nix flake lock` in the repository and commit flake.lock"
    else:
        message = f"inputs float: no {found.name}, so every build resolves them anew"
        help = f"run {LOCK} and commit {found.name}"
    return warning("F060", message, None, help=help, file=found.name)


def missing(fleet: Fleet, found: LockFound, name: str) -> Diagnostic:
    where = flake_inputs.declared_at(fleet, name)
    if found.embedded:
        from ..emit.flake import input_lines

        message = f"the repository's flake has no input `{name}`, which the fleet needs"
        help = (
            "add to `inputs` in the repository's flake.nix, then run"
            f" `nix flake lock`:\n{input_lines(fleet, name)}"
        )
        return error("F065", message, where, help=help)
    message = f"{found.name} does not pin input `{name}`: Nix would not build"
    return error("F061", message, where, help=f"run {LOCK} and commit {found.name}")


def dropped(found: LockFound, name: str) -> Diagnostic:
    message = f"{found.name} pins input `{name}`, which the fleet no longer declares"
    help = f"run {LOCK} (it drops the input) and commit {found.name}"
    return error("F062", message, key_span(found.source, name), help=help)


def moved(fleet: Fleet, found: LockFound, pin, url: str) -> Diagnostic:
    message = (
        f"{found.name} pins input `{pin.name}` from {pin.url}; the fleet says {url}"
    )
    help = f"run {LOCK} to pin the new URL"
    return warning(
        "F063", message, flake_inputs.declared_at(fleet, pin.name), help=help
    )


def key_span(source: Source, name: str) -> Span | None:
    """Where `"<name>":` is written last (the root node closes a Nix lock)."""
    key = f'"{name}"'
    at = source.text.rfind(key)
    return Span(source, at, at + len(key)) if at >= 0 else None


def input_changes(fleet: Fleet, found: LockFound) -> list[tuple[str, str, str]]:
    """(symbol, input, what) for each input the next `fleetc lock` changes:
    `+` not pinned yet, `-` pinned but no longer declared, `~` another URL.
    Empty when flake.lock says nothing usable (no lock, or not a lock)."""
    try:
        pins = flake_lock.parse(found.source.text) if found.source else {}
    except flake_lock.BadFlakeLock:
        return []
    declared = flake_inputs.urls(fleet)
    found_changes = [
        ("+", name, f"{url} (not pinned yet)")
        for name, url in declared.items()
        if name not in pins
    ]
    if found.embedded:  # the root flake's own inputs and URLs are its business
        return found_changes
    found_changes += [
        ("-", name, "pinned, no longer declared")
        for name in pins
        if name not in declared
    ]
    for name, url in declared.items():
        pin = pins.get(name)
        if pin and pin.original and flake_lock.same_source(url, pin.original) is False:
            found_changes.append(("~", name, f"{pin.url} -> {url}"))
    return sorted(found_changes, key=lambda change: change[1])
