"""Every section and key of the fleet file (contract section 1), declared once.

The TOML reader checks input against these tables; the DSL frontend and the
TOML writer (`fleetc convert`) read the same tables, so a key is added here and
nowhere else. Only values the contract itself fixes are listed as `allowed`;
hypervisors, interface types, share protocols and macvtap modes are plain
strings here because the checks hold them against microvm.nix's option data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from typing import Any, Callable

from ..core import model


@dataclass(frozen=True, eq=False)
class Kind:
    """What a key's value must be: how to test it and how to describe it.

    Kinds, keys and sections are singletons: compared and hashed by identity.
    """

    name: str
    expected: str  # completes "expected ..."
    example: str  # a value to show in a fix
    accepts: Callable[[Any], bool]
    element: Kind | None = None  # for lists: the kind of each element


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


STR = Kind("str", "a string", '"..."', lambda v: isinstance(v, str))
INT = Kind("int", "an integer", "1", _is_int)
BOOL = Kind("bool", "a boolean", "true", lambda v: isinstance(v, bool))
ADDRESS = Kind(
    "address",
    "an address string or false",
    '"10.0.0.10"',
    lambda v: isinstance(v, str) or v is False,
)
# A value, or `false` for "none, and none allocated" (VM machine_id = false).
STR_OR_FALSE = Kind(
    "str_or_false",
    "a string or false",
    '"..."',
    lambda v: isinstance(v, str) or v is False,
)
STRS = Kind("strs", "a list of strings", '["..."]', _is_list, STR)
# Module strings: files relative to the fleet file, or `inputs.<name>.<attr>`.
MODULES = Kind(
    "modules",
    "a list of strings",
    '["modules/x.nix"]',
    _is_list,
    STR,
)
TABLE = Kind("table", "a table", "{ ... }", lambda v: isinstance(v, dict))
# Free-form tables (model.Pairs): any key; values of the element kind.
META_VALUE = Kind(
    "meta_value",
    "a string, integer, boolean or list of them",
    '"..."',
    lambda v: isinstance(v, (str, int, bool, list, tuple)),
)
META = Kind(
    "meta", "a table", '{ role = "web" }', lambda v: isinstance(v, dict), META_VALUE
)
FOLLOWS = Kind(
    "follows", "a table", '{ nixpkgs = "nixpkgs" }', lambda v: isinstance(v, dict), STR
)
# [vms.<name>.microvm]: microvm.nix options by their path. Values as meta's;
# tables inside (TOML's dotted keys) are read as parts of the path.
OPTIONS = Kind(
    "options",
    "a table",
    '{ "virtiofsd.threadPoolSize" = 4 }',
    lambda v: isinstance(v, dict),
    META_VALUE,
)
# Kinds of free-form tables: read into model.Pairs, keys not in any schema.
FREE_FORM = ("meta", "follows", "options")
# A list of tables: [[x]] headers or an array of inline tables.
TABLES = Kind("tables", "a list of tables", "[{ ... }]", _is_list, TABLE)
# Tables keyed by the name of what they declare: [vms.<name>].
NAMED = Kind(
    "named",
    "a table of named tables",
    "{ name = { ... } }",
    lambda v: isinstance(v, dict),
    TABLE,
)


@dataclass(frozen=True, eq=False)
class Key:
    """A key of a section: its kind, whether required, what it may hold."""

    name: str  # as written in the fleet file
    kind: Kind
    required: bool = False
    allowed: tuple[str, ...] = ()  # empty: any value of the kind
    section: Section | None = None  # for TABLE, TABLES and NAMED
    field: str = ""  # model field, when it differs from `name`

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", self.field or self.name)


@dataclass(frozen=True, eq=False)
class Section:
    """A kind of table: its keys, and the model class built from it (if any)."""

    title: str
    keys: tuple[Key, ...]
    model: type | None = None
    name_field: str | None = None  # model field that takes the table's own name

    @cached_property
    def by_name(self) -> dict[str, Key]:
        return {key.name: key for key in self.keys}

    @cached_property
    def required(self) -> tuple[Key, ...]:
        return tuple(key for key in self.keys if key.required)

    @cached_property
    def model_tables(self) -> tuple[Key, ...]:
        """Keys whose table has a model of its own ([fleet.deploy]): asked of
        every node read, so found once."""
        return tuple(k for k in self.keys if k.kind is TABLE and k.section.model)

    @cached_property
    def option_keys(self) -> tuple[Key, ...]:
        """Keys of microvm.nix options, merged option by option with
        [defaults.vm]'s (reader.py): asked of every VM read."""
        return tuple(k for k in self.keys if k.kind.name == "options")

    def key(self, name: str) -> Key | None:
        return self.by_name.get(name)


DEPLOY_MODES = ("declarative", "imperative")
# What writes the deploy outputs (emit/deploy_tools.py); "none": plain nixos-rebuild.
DEPLOY_TOOLS = ("deploy-rs", "colmena", "none")


def _str(name: str, **kw) -> Key:
    return Key(name, STR, **kw)


INPUT = Section(
    "[fleet.inputs.<name>]",
    (
        _str("url", required=True),
        Key("follows_nixpkgs", BOOL),
        Key("flake", BOOL),
        Key("follows", FOLLOWS),
    ),
    model.FlakeInput,
    "name",
)

# A table with a model inside [fleet] is built into that node when [fleet] is.
DEPLOY = Section(
    "[fleet.deploy]",
    (
        _str("hydra", required=True),
        _str("jobset", required=True),
        _str("cache", required=True),
        Key("vms", STRS),
    ),
    model.Deploy,
)

FLEET = Section(
    "[fleet]",
    (
        _str("name", required=True),
        _str("domain"),
        _str("system"),
        _str("nixpkgs"),
        _str("microvm"),
        _str("flake"),
        _str("state_dir"),
        _str("output"),
        Key("embed", BOOL),
        Key("journal", BOOL),
        _str("nix_path", allowed=("flake", "channel", "none")),
        _str("store", allowed=("virtiofs", "9p", "disk")),
        _str("network_stack", allowed=("networkd", "none")),
        _str("machine_ids", allowed=("derived", "random")),
        Key("microvm_disk_group", BOOL),
        _str("deploy_mode", allowed=DEPLOY_MODES),
        _str("deploy_tool", allowed=DEPLOY_TOOLS),
        Key("modules", MODULES),
        Key("vm_modules", MODULES),
        Key("host_modules", MODULES),
        Key("overlays", MODULES),
        Key("inputs", NAMED, section=INPUT),
        Key("deploy", TABLE, section=DEPLOY),
        Key("delete_state", STRS),
        Key("install_condition", BOOL),
        Key("store_read_only", BOOL),
        Key("sops_keep_generations", BOOL),
        Key("allow", STRS),
    ),
    model.Fleet,
)

NETWORK = Section(
    "[networks.<name>]",
    (
        _str("ipv4"),
        _str("gateway4"),
        _str("ipv6"),
        _str("gateway6"),
        Key("dns", STRS),
        _str("mode", allowed=("bridge", "routed")),
        _str("bridge"),
        Key("vlan", INT),
        Key("reserved", STRS),
        _str("addressing", allowed=tuple(model.STATIC_FAMILIES)),
        _str("router"),
    ),
    model.Network,
    "name",
)

HOST_INTERFACE = Section(
    "[[hosts.<name>.interfaces]]",
    (_str("network", required=True), Key("ipv4", ADDRESS), Key("ipv6", ADDRESS)),
    model.HostInterface,
)

# Linux bonding modes, as systemd.netdev's [Bond] Mode= spells them.
BOND_MODES = (
    "802.3ad",
    "active-backup",
    "balance-rr",
    "balance-xor",
    "broadcast",
    "balance-tlb",
    "balance-alb",
)

BOND = Section(
    "[hosts.<name>.bond]",
    (_str("name", required=True), Key("ports", STRS), _str("mode", allowed=BOND_MODES)),
    model.Bond,
)

HOST = Section(
    "[hosts.<name>]",
    (
        _str("machine_id"),
        _str("system"),
        _str("uplink"),
        Key("modules", MODULES),
        Key("interfaces", TABLES, section=HOST_INTERFACE),
        _str("deploy_mode", allowed=DEPLOY_MODES),
        Key("bond", TABLE, section=BOND),
        Key("microvm_host", BOOL),
        _str("target"),
    ),
    model.Host,
    "name",
)

INTERFACE = Section(
    "[[vms.<name>.interfaces]]",
    (
        _str("network", required=True),
        Key("ipv4", ADDRESS),
        Key("ipv6", ADDRESS),
        _str("mac"),
        _str("id"),
        _str("type"),
        _str("macvtap_link"),
        _str("macvtap_mode"),
        Key("vhost", BOOL),
    ),
    model.Interface,
)

SHARE = Section(
    "[[vms.<name>.shares]]",
    (
        _str("tag", required=True),
        _str("source", required=True),
        _str("mount", required=True),
        _str("proto"),
        _str("socket"),
        Key("read_only", BOOL),
        Key("needed_for_boot", BOOL),
        Key("from_repo", BOOL),
    ),
    model.Share,
)

VOLUME = Section(
    "[[vms.<name>.volumes]]",
    (_str("image", required=True), _str("mount"), Key("size", INT)),
    model.Volume,
)

DEVICE = Section(
    "[[vms.<name>.devices]]",
    (_str("bus", required=True, allowed=("pci", "usb")), _str("path", required=True)),
    model.Device,
)

VM = Section(
    "[vms.<name>]",
    (
        _str("host", required=True),
        _str("system"),
        Key("machine_id", STR_OR_FALSE),
        _str("hypervisor"),
        Key("vcpu", INT),
        Key("mem", INT),
        Key("autostart", BOOL),
        Key("vsock_cid", INT),
        Key("vsock", BOOL),
        # "share" | "none" | a path inside a share: checks/journals.py.
        _str("journal"),
        Key("runner_from_host", BOOL),
        Key("modules", MODULES),
        Key("interfaces", TABLES, section=INTERFACE),
        Key("shares", TABLES, section=SHARE),
        Key("volumes", TABLES, section=VOLUME),
        Key("devices", TABLES, section=DEVICE),
        Key("meta", META),
        _str("renamed_from"),
        _str("deploy_mode", allowed=DEPLOY_MODES),
        _str("declare", allowed=("flake", "config")),
        # checks/microvm_options.py holds each against microvm.nix's option data
        Key("microvm", OPTIONS),
        Key("allow", STRS),
    ),
    model.Vm,
    "name",
)

# [defaults.vm] takes any VM key; required keys are checked on each VM after merging.
DEFAULTS = Section("[defaults]", (Key("vm", TABLE, section=VM),))

DOCUMENT = Section(
    "the fleet file",
    (
        Key("fleet", TABLE, required=True, section=FLEET),
        Key("defaults", TABLE, section=DEFAULTS),
        Key("networks", NAMED, section=NETWORK),
        Key("hosts", NAMED, section=HOST),
        Key("vms", NAMED, section=VM),
    ),
)


def describe(value: Any) -> str:
    """How a parsed value is named in "found ..." messages."""
    if isinstance(value, bool):
        return "a boolean"
    for kinds, text in _DESCRIPTIONS:
        if isinstance(value, kinds):
            return text
    return "a value of another type"


# datetime before date: a datetime is also a date.
_DESCRIPTIONS = (
    (str, "a string"),
    (int, "an integer"),
    (float, "a float"),
    (list, "an array"),
    (dict, "a table"),
    (datetime, "a date-time"),
    (date, "a date"),
    (time, "a time"),
)
