"""The fleet model: frozen dataclasses built by a frontend, read by checks and emitters.

Every node carries `span` (where the node itself was written: its table header or
inline table) and `spans` (field name -> span of that field's value; list elements
as "field[i]"). Spans never take part in equality, so a model read from TOML equals
the same model read from the DSL.

Optional values are `None` when the user did not write them. For addresses,
`False` means "no address of this family here" (`ipv4 = false`).

A node read from a file also knows which of its fields its own table wrote
(`written`), and the fleet keeps [defaults.vm] as written (`vm_defaults`):
`fleetc convert` writes exactly what the source wrote, a default spelt out
included. Neither takes part in equality either.

The nodes a large fleet has one or more of per VM and that nothing copies
through `__dict__` have slots (Share, Volume, Device, ModuleRef and hosts'
interfaces and bonds): a field is read from the object itself, not from a
values array beside it, which is a cache miss per read once 100,000 VMs'
model outgrows the caches. Vm and Interface keep a `__dict__`:
allocate/as_locked.py copies them through it.
"""

from __future__ import annotations

import posixpath
from dataclasses import MISSING, dataclass, field, fields
from functools import cached_property
from types import MappingProxyType, MemberDescriptorType
from typing import Any, Literal, Mapping, TypeVar, Union

from .source import Span

NO_SPANS: Mapping[str, Span] = MappingProxyType({})

# None: not written (to be allocated); False: explicitly none; str: as written.
Address = Union[str, Literal[False], None]


# VM `journal` values besides a path (see Fleet.journal_of).
JOURNAL_SHARE, JOURNAL_NONE = "share", "none"

# How guests on a network get their addresses ([networks.<n>] addressing), and
# the families fleetc allocates and writes for each: "slaac" leaves IPv6 to
# router advertisements, "dhcp" both families to the network, "none" both to
# the fleet's own modules (no networkd unit at all).
STATIC_FAMILIES = {"static": (4, 6), "slaac": (4,), "dhcp": (), "none": ()}


@dataclass(frozen=True)
class Node:
    """Where a node was written, and which fields its own table wrote."""

    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)
    spans: Mapping[str, Span] = field(
        default_factory=lambda: NO_SPANS, compare=False, repr=False, kw_only=True
    )
    # The fields the node's own table wrote (not those a fallback such as
    # [defaults.vm] filled in); None for a node not read from a file.
    written: frozenset[str] | None = field(
        default=None, compare=False, repr=False, kw_only=True
    )

    def at(self, name: str, index: int | None = None) -> Span | None:
        """Span of a field (or one element of a list field), else of the node."""
        if index is not None:
            found = self.spans.get(f"{name}[{index}]")
            if found is not None:
                return found
        return self.spans.get(name, self.span)


@dataclass(frozen=True, slots=True)
class ModuleRef(Node):
    """A module: a file relative to the fleet file, or `inputs.<name>.<attr...>`."""

    text: str

    @property
    def is_input(self) -> bool:
        return self.text.startswith("inputs.")

    @property
    def input_name(self) -> str:
        return self.text.split(".")[1]


class Pairs(tuple):
    """A free-form table as written: (key, value) pairs in the order written;
    a list value is a tuple. A tuple, so that nodes stay comparable and frozen."""

    def get(self, name: str, default=None):
        return next((value for key, value in self if key == name), default)


@dataclass(frozen=True)
class FlakeInput(Node):
    """[fleet.inputs.<name>]: a flake input the generated flake adds."""

    name: str
    url: str
    follows_nixpkgs: bool = False
    # `flake = false`: a plain source tree (inputs.<name> is its store path).
    flake: bool = True
    # inputs.<name>.inputs.<key>.follows = <value>: (input, what it follows).
    follows: Pairs = Pairs()


@dataclass(frozen=True)
class Deploy(Node):
    """[fleet.deploy]: hosts fetch their VMs' runners from Hydra (the FAQ's
    update-microvm). `vms` empty: every VM; else only those named."""

    hydra: str
    jobset: str  # "<project>/<jobset>", as in <hydra>/job/<project>/<jobset>/<job>
    cache: str
    vms: tuple[str, ...] = ()

    def deploys(self, vm: str) -> bool:
        return not self.vms or vm in self._chosen

    @cached_property
    def _chosen(self) -> frozenset[str]:
        # Built once: every host asks about each of its VMs.
        return frozenset(self.vms)


@dataclass(frozen=True)
class Network(Node):
    """[networks.<name>]: a network the VMs' interfaces join."""

    name: str
    ipv4: str | None = None
    gateway4: str | None = None
    ipv6: str | None = None
    gateway6: str | None = None
    dns: tuple[str, ...] = ()
    mode: str = "bridge"
    bridge: str | None = None
    vlan: int | None = None
    reserved: tuple[str, ...] = ()
    addressing: str = "static"
    # The host that holds the gateways on its bridge, forwards, NATs IPv4 out
    # of its uplink, announces the IPv6 prefix and serves DHCPv4 (emit/router.py).
    router: str | None = None

    def static(self, version: int) -> bool:
        """fleetc allocates and writes this family's guest addresses."""
        return version in STATIC_FAMILIES[self.addressing]


@dataclass(frozen=True, slots=True)
class HostInterface(Node):
    """[[hosts.<name>.interfaces]]: a host's own address on a network."""

    network: str
    ipv4: Address = None
    ipv6: Address = None


@dataclass(frozen=True, slots=True)
class Bond(Node):
    """A bonded uplink (systemd.netdev Kind=bond): `ports` enslaved to `name`."""

    name: str
    ports: tuple[str, ...] = ()
    mode: str = "802.3ad"


@dataclass(frozen=True)
class Host(Node):
    """[hosts.<name>]: a machine that runs VMs."""

    name: str
    system: str
    machine_id: str | None = None
    uplink: str | None = None
    modules: tuple[ModuleRef, ...] = ()
    interfaces: tuple[HostInterface, ...] = ()
    # Overrides fleet.deploy_mode for this host's VMs; None: the fleet's.
    deploy_mode: str | None = None
    bond: Bond | None = None
    # Import microvm.nix's host module: None means "when VMs are placed here".
    microvm_host: bool | None = None
    # The ssh destination deploys reach the host at, `[user@]host[:port]`
    # (ssh_target.py); None: the host's name, as ssh and colmena default to.
    target: str | None = None

    @property
    def uplink_name(self) -> str | None:
        """The device VLANs and bridges sit on: the bond, else `uplink`."""
        return self.bond.name if self.bond is not None else self.uplink


@dataclass(frozen=True)
class Interface(Node):
    """[[vms.<name>.interfaces]]: a VM's interface on a network."""

    network: str
    ipv4: Address = None
    ipv6: Address = None
    mac: str | None = None
    id: str | None = None
    type: str = "tap"
    macvtap_link: str | None = None
    macvtap_mode: str | None = None
    # The tap's vhost-net (microvm.nix `tap.vhost`, from 2026-02): None is
    # microvm.nix's default (off), and fleetc then writes nothing.
    vhost: bool | None = None


@dataclass(frozen=True, slots=True)
class Share(Node):
    """[[vms.<name>.shares]]: a host directory shared into a VM."""

    tag: str
    source: str
    mount: str
    proto: str = "virtiofs"
    socket: str | None = None
    read_only: bool = False
    # fileSystems.<mount>.neededForBoot: mounted in stage 1 (/etc, /var/lib).
    needed_for_boot: bool = False
    # `source` is a directory of the repository, relative to the fleet file,
    # shared read-only from its copy in the Nix store.
    from_repo: bool = False

    @property
    def holds_secrets(self) -> bool:
        """Shares sops-nix's /run/secrets (a link to its newest generation) or
        something inside it."""
        if not self.source.startswith("/") or self.from_repo:
            return False
        path = "/" + posixpath.normpath(self.source).lstrip("/")
        return path == "/run/secrets" or path.startswith("/run/secrets/")


@dataclass(frozen=True, slots=True)
class Volume(Node):
    """[[vms.<name>.volumes]]: a disk image (or host block device) of a VM."""

    image: str
    mount: str | None = None
    size: int | None = None

    @property
    def is_block_device(self) -> bool:
        """A host block device handed to the VM: never created, no size needed."""
        return self.image.startswith("/dev/")


@dataclass(frozen=True, slots=True)
class Device(Node):
    """A host device passed through to a VM (microvm.devices)."""

    bus: str  # "pci" or "usb"
    path: str  # PCI: 0000:01:00.0; USB: as qemu's usb-host takes it


@dataclass(frozen=True)
class VmDefaults(Node):
    """[defaults.vm] as written: (model field, value) in the schema's order.
    Every VM that leaves a field out has the value; the model's VMs already
    hold it, so only convert and the diagnostics about it read this."""

    values: Pairs = Pairs()


@dataclass(frozen=True)
class Vm(Node):
    """[vms.<name>]: a MicroVM and the host it runs on."""

    name: str
    host: str
    system: str
    # None: allocated; False: none from fleetc (systemd writes the VM's own).
    machine_id: str | Literal[False] | None = None
    hypervisor: str = "qemu"
    vcpu: int = 1
    mem: int = 512
    autostart: bool = True
    vsock_cid: int | None = None
    # A vhost-vsock device only when asked for: `vsock = true` or a CID.
    vsock: bool | None = None
    # Where the VM's journal is: "share" (fleetc's journal share), "none", or a
    # path inside one of the VM's own shares. None: from fleet.journal.
    journal: str | None = None
    # Build the runner with the host's pkgs (the FAQ's lib.buildRunner answer).
    runner_from_host: bool = False
    modules: tuple[ModuleRef, ...] = ()
    interfaces: tuple[Interface, ...] = ()
    shares: tuple[Share, ...] = ()
    volumes: tuple[Volume, ...] = ()
    devices: tuple[Device, ...] = ()
    # Free-form values exported as the flake's lib.meta.<vm>, for modules.
    meta: Pairs = Pairs()
    # The VM's name before a rename: its locked identity (machine-id, MACs,
    # addresses, tap ids, CID) and journal carry over (allocate/renames.py).
    renamed_from: str | None = None
    # microvm.nix options by path ("virtiofsd.threadPoolSize", 4), as written,
    # checked against its option data (checks/microvm_options.py).
    microvm: Pairs = Pairs()
    # Overrides its host's and the fleet's deploy_mode; None: theirs.
    deploy_mode: str | None = None
    # How a declared VM reaches its host: "flake" (microvm.vms.<vm>.flake, built
    # from the flake, updated with `microvm -u`) or "config" (the host builds it
    # from its modules, microvm.vms.<vm>.config, and restarts it on a switch).
    declare: str = "flake"
    # Codes of warnings about this VM its owner has read and accepted
    # (checks/allowed.py): not shown again.
    allow: tuple[str, ...] = ()

    @property
    def wants_vsock(self) -> bool:
        """vsock is opt-in: `vsock = true`, or a CID written (and not `vsock = false`)."""
        if self.vsock is not None:
            return self.vsock
        return self.vsock_cid is not None


@dataclass(frozen=True)
class Fleet(Node):
    """The whole fleet file: [fleet] and every network, host and VM."""

    name: str
    domain: str | None = None
    system: str = "x86_64-linux"
    nixpkgs: str = "github:NixOS/nixpkgs/nixos-unstable"
    microvm: str = "github:microvm-nix/microvm.nix"
    flake: str | None = None
    state_dir: str = "/var/lib/microvms"
    output: str = "generated"
    journal: bool = True
    nix_path: str = "flake"
    store: str = "virtiofs"
    network_stack: str = "networkd"
    # How VMs' machine-ids are allocated: "derived" (microvm.nix's own default,
    # so adopting fleetc keeps existing journals) or "random" (`systemd-id128 new`).
    machine_ids: str = "derived"
    # The FAQ's `users.users.microvm.extraGroups = [ "disk" ]`: every block
    # device on every host. Off unless asked for; udev rules are the default.
    microvm_disk_group: bool = False
    # "declarative": the hosts declare their VMs (microvm.vms); "imperative":
    # they only autostart them (microvm.autostart), deployed with `microvm -Ru`.
    deploy_mode: str = "declarative"
    # The repository's own root flake carries the fleet (`import
    # ./<output>/outputs.nix inputs`): no flake.nix is generated.
    embed: bool = False
    # What switches the hosts: "deploy-rs" or "colmena" (their flake outputs
    # are written), or "none" (nixos-rebuild --target-host).
    deploy_tool: str = "none"
    deploy: Deploy | None = None
    # What fleetc adds unasked, each of which a fleet may turn off: the
    # install-microvm-<vm> condition (emit/host.py), `readOnly` on the
    # /nix/store share, `sops.keepGenerations = 0` beside /run/secrets shares.
    install_condition: bool = True
    store_read_only: bool = True
    sops_keep_generations: bool = True
    modules: tuple[ModuleRef, ...] = ()
    vm_modules: tuple[ModuleRef, ...] = ()
    host_modules: tuple[ModuleRef, ...] = ()
    # nixpkgs overlays for every host and VM: files or `inputs.<name>.<attr>`.
    overlays: tuple[ModuleRef, ...] = ()
    inputs: tuple[FlakeInput, ...] = ()
    networks: tuple[Network, ...] = ()
    hosts: tuple[Host, ...] = ()
    vms: tuple[Vm, ...] = ()
    # VMs no longer in the fleet whose state directory is deleted where they
    # are stopped (retire.py); any other retired VM keeps its state.
    delete_state: tuple[str, ...] = ()
    # Codes of warnings read and accepted, wherever they are raised
    # (checks/allowed.py): not shown again.
    allow: tuple[str, ...] = ()
    # VMs that left a host, still to be stopped there: filled in from
    # fleet.lock after allocation (retire.py), never read from the fleet file.
    retired: tuple = field(default=(), compare=False)
    # Display name of the file the fleet was read from (for generated headers).
    source_name: str = field(default="fleet.toml", compare=False)
    # [defaults.vm] as written, when the file has one: every VM already holds
    # its values, so two twins, with and without it, are the same fleet.
    vm_defaults: VmDefaults | None = field(default=None, compare=False, repr=False)

    def network(self, name: str) -> Network | None:
        return self._networks_by_name.get(name)

    def host(self, name: str) -> Host | None:
        return self._hosts_by_name.get(name)

    def vms_on(self, host: str) -> tuple[Vm, ...]:
        return self._vms_by_host.get(host, ())

    def journal_of(self, vm: Vm) -> str:
        """The VM's `journal`: "share", "none" or a path in one of its shares.

        VMs that leave it out follow fleet.journal: true "share", false "none".
        """
        if vm.journal is not None:
            return vm.journal
        return JOURNAL_SHARE if self.journal else JOURNAL_NONE

    def deploys_imperatively(self, host: Host) -> bool:
        mode = host.deploy_mode or self.deploy_mode
        return mode == "imperative"

    def deployed_imperatively(self, vm: Vm) -> bool:
        """The VM's own deploy_mode, else its host's, else the fleet's."""
        if vm.deploy_mode is not None:
            return vm.deploy_mode == "imperative"
        host = self.host(vm.host)
        return host is not None and self.deploys_imperatively(host)

    @property
    def _networks_by_name(self) -> dict[str, Network]:
        return _index(self, "_networks", lambda: {n.name: n for n in self.networks})

    @property
    def _hosts_by_name(self) -> dict[str, Host]:
        return _index(self, "_hosts", lambda: {h.name: h for h in self.hosts})

    @property
    def _vms_by_host(self) -> dict[str, tuple[Vm, ...]]:
        def build() -> dict[str, tuple[Vm, ...]]:
            grouped: dict[str, list[Vm]] = {}
            for vm in self.vms:
                grouped.setdefault(vm.host, []).append(vm)
            return {host: tuple(vms) for host, vms in grouped.items()}

        return _index(self, "_by_host", build)


N = TypeVar("N", bound=Node)
# cls -> every field's name; those without a plain default, each with its
# default_factory or None; the slots' plain defaults; None for a class `made`
# cannot build.
_PLANS: dict[type, tuple[frozenset[str], tuple, dict] | None] = {}


def made(cls: type[N], values: dict[str, Any], more: dict[str, Any]) -> N:
    """`cls(**values, **more)`, setting only the fields given (and those
    with a default_factory): a field left at its plain default is read from
    the class, where dataclasses put it. The frozen __init__ sets every
    field, one object.__setattr__ each (26 a VM; 31,000 nodes at 10,000
    VMs). The fields are set as __init__ sets them, so an instance is laid
    out as one __init__ made (a __dict__ assigned whole was 17 MiB more at
    10,000 VMs, and slower to read). What __init__ would refuse (a name that
    is no field or is given twice, a field without a default left out) goes
    to __init__, which raises. A slotted class (Share, ...) has no default on
    the class: its defaults are set too. tests/core/test_reader_fast_paths.py
    compares the two on every model class."""
    plan = _PLANS[cls] if cls in _PLANS else _plan(cls)
    if plan is None:
        return cls(**values, **more)
    names, unset, slotted = plan
    known = values.keys() <= names and more.keys() <= names
    if not known or not more.keys().isdisjoint(values):
        return cls(**values, **more)
    node = object.__new__(cls)
    put = object.__setattr__
    for name, factory in unset:
        if name not in values and name not in more:
            if factory is None:
                return cls(**values, **more)
            put(node, name, factory())
    for name, value in slotted.items():  # no class default to fall back on
        if name not in values and name not in more:
            put(node, name, value)
    for name, value in values.items():
        put(node, name, value)
    for name, value in more.items():
        put(node, name, value)
    return node


def _plan(cls: type) -> tuple[frozenset[str], tuple, dict] | None:
    """What `made` builds a `cls` from; None where __init__ does more than
    set fields (__post_init__, fields it leaves out)."""
    every = fields(cls)
    if hasattr(cls, "__post_init__") or not all(f.init for f in every):
        _PLANS[cls] = None
        return None
    unset = tuple(
        (f.name, None if f.default_factory is MISSING else f.default_factory)
        for f in every
        if f.default is MISSING
    )
    # A slot's default is not left on the class (dataclasses moves it to __init__).
    slotted = {
        f.name: f.default
        for f in every
        if f.default is not MISSING
        and isinstance(getattr(cls, f.name), MemberDescriptorType)
    }
    _PLANS[cls] = plan = (frozenset(f.name for f in every), unset, slotted)
    return plan


def _index(fleet: Fleet, key: str, build):
    """Lookup tables are derived data: cached on the frozen object, built once."""
    cache = fleet.__dict__.setdefault("_cache", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]
