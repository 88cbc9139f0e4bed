"""checks/index.py's tables and the checks' fast paths against the plain code
they replaced, on random fleets (issue 24, "Checks, second pass").

- each table of the index a run shares is what the plain derivation gives;
- a run reports what each check reports called on its own (deriving its own
  tables), in the same order;
- the per-VM share checks skip a VM only where their plain code (a FirstSeen
  table of the VM's tags, sockets and mount points) reports nothing, the
  journal's check only where core/journals.py finds no share, and
  `normpath` is posixpath.normpath.
"""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetc import checks, frontend
from fleetc.checks import adoption, ifnames, passthrough, references, storage, vm_deploy
from fleetc.checks.common import FirstSeen, distinct, normpath
from fleetc.checks.index import Index, index_of, shared
from fleetc.core import journals
from fleetc.core.diagnostics import render_text
from fleetc.core.source import Source

NETWORKS = ["lan", "wan", "dmz"]
# Names a host and a VM can share (F102), networks nobody declared (F006).
HOSTS = ["h0", "h1", "vm0"]
VM_HOSTS = ["h0", "h1", "vm0", "gone"]
JOINED = [*NETWORKS, "nowhere"]
TAGS = ["a", "b", "journal", "ro-store", "a/b"]
MOUNTS = ["/srv", "/srv/", "/var", "/var/log", "/var/log/journal", "/nix/.ro-store"]
MOUNTS += ["srv", "/a/../srv", "//srv", "/", "//", "///", "/srv/./x", "/.hidden"]
SOCKETS = [None, None, "x.sock", "journal.sock", "vm0-virtiofs-ro-store.sock", ""]
SOURCES = ["/srv/a", "/run/secrets", "/run//secrets/x", "data", "/x/../run/secrets"]


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def table(pairs: dict) -> str:
    """An inline TOML table of the pairs whose value is not None."""
    items = [f"{key} = {value}" for key, value in pairs.items() if value is not None]
    return "{ " + ", ".join(items) + " }"


interface = st.fixed_dictionaries(
    {
        "network": st.sampled_from(JOINED).map(quoted),
        "type": st.sampled_from(["tap", "bridge", "macvtap", "user", None]).map(
            lambda t: t and quoted(t)
        ),
        "id": st.sampled_from([None, "t0", "t1"]).map(lambda t: t and quoted(t)),
        "ipv4": st.sampled_from([None, "10.0.0.5", "10.0.0.6"]).map(
            lambda a: a and quoted(a)
        ),
    }
).map(table)
share = st.fixed_dictionaries(
    {
        "tag": st.sampled_from(TAGS).map(quoted),
        "source": st.sampled_from(SOURCES).map(quoted),
        "mount": st.sampled_from(MOUNTS).map(quoted),
        "proto": st.sampled_from([None, "virtiofs", "9p"]).map(
            lambda p: p and quoted(p)
        ),
        "socket": st.sampled_from(SOCKETS).map(lambda s: s if s is None else quoted(s)),
    }
).map(table)
volume = st.fixed_dictionaries(
    {
        "image": st.sampled_from(["a.img", "/dev/sda", "/srv/b.img"]).map(quoted),
        "mount": st.sampled_from([None, *MOUNTS[:6]]).map(lambda m: m and quoted(m)),
        "size": st.sampled_from([None, 64]),
    }
).map(table)
vm = st.tuples(
    st.sampled_from(VM_HOSTS),
    st.lists(interface, max_size=3),
    st.lists(share, max_size=3),
    st.lists(volume, max_size=2),
)
fleet_values = st.tuples(
    st.sampled_from([None, "true", "false"]),  # journal
    st.sampled_from([None, "virtiofs", "9p", "disk"]),  # store
    st.lists(st.sampled_from(NETWORKS), unique=True, min_size=1),
    st.lists(
        st.tuples(
            st.sampled_from(HOSTS), st.lists(st.sampled_from(JOINED), max_size=2)
        ),
        max_size=3,
        unique_by=lambda host: host[0],
    ),
    st.lists(vm, max_size=6),
)


def fleet_text(values) -> str:
    journal, store, networks, hosts, vms = values
    parts = ['[fleet]\nname = "t"\n']
    parts.append(f"journal = {journal}\n" if journal else "")
    parts.append(f"store = {quoted(store)}\n" if store else "")
    for index, name in enumerate(networks):
        parts.append(f'[networks.{name}]\nipv4 = "10.{index}.0.0/24"\n')
    for name, joined in hosts:
        nics = ", ".join(table({"network": quoted(n)}) for n in joined)
        parts.append(f'[hosts.{name}]\nuplink = "eno1"\ninterfaces = [{nics}]\n')
    for index, (host, nics, shares, volumes) in enumerate(vms):
        parts.append(f"[vms.vm{index}]\nhost = {quoted(host)}\n")
        parts.append(f"interfaces = [{', '.join(nics)}]\n")
        parts.append(f"shares = [{', '.join(shares)}]\n")
        parts.append(f"volumes = [{', '.join(volumes)}]\n")
    return "\n".join(parts)


def loaded(values):
    fleet, _ = frontend.load(Source("fleet.toml", fleet_text(values)))
    return fleet


# -- the plain derivations the index replaced ------------------------------------


def plain_vm_interfaces(fleet):
    for vm in fleet.vms:
        for nic in vm.interfaces:
            yield vm, nic


def plain_interfaces(fleet):
    for host in fleet.hosts:
        for nic in host.interfaces:
            yield host, nic
    yield from plain_vm_interfaces(fleet)


def plain_vm_bridged_networks(fleet, host: str) -> set[str]:
    """What checks/reach.py read of each host's VMs."""
    found = set()
    for vm in fleet.vms_on(host):
        found |= {i.network for i in vm.interfaces if i.type in ("tap", "bridge")}
    return found


# The tables whose code lives with the checks that read them (Index.once).
ONCE = [
    ifnames.host_names,
    passthrough.devices,
    vm_deploy.built_by_host,
    references.module_refs,
]


def assert_tables_are_plain(fleet, index: Index) -> None:
    assert index.vm_interfaces == tuple(plain_vm_interfaces(fleet))
    assert index.interfaces == tuple(plain_interfaces(fleet))
    assert index.vm_shares == tuple((v, s) for v in fleet.vms for s in v.shares)
    assert index.vm_volumes == tuple((v, x) for v in fleet.vms for x in v.volumes)
    assert index.machines == (*fleet.hosts, *fleet.vms)
    for name in [*JOINED, *(n.name for n in fleet.networks)]:
        assert index.networks.get(name) is fleet.network(name)
    for name in [*VM_HOSTS, *(h.name for h in fleet.hosts)]:
        assert index.hosts.get(name) is fleet.host(name)
        bridged = index.vm_bridged_networks.get(name, frozenset())
        assert bridged == plain_vm_bridged_networks(fleet, name)
    for derive in ONCE:
        assert index.once(derive) == tuple(derive(fleet))
        assert index.once(derive) is index.once(derive)  # derived once a run


def shown(diagnostics) -> list[str]:
    return [f"{d.code} {d.span and d.span.start} {render_text(d)}" for d in diagnostics]


@settings(max_examples=300, deadline=None)
@given(fleet_values)
def test_the_index_holds_the_plain_derivations(values):
    fleet = loaded(values)
    if fleet is None:
        return
    with shared(fleet) as index:
        assert index_of(fleet) is index
        assert_tables_are_plain(fleet, index)
    assert index_of(fleet) is not index  # dropped with its run


@settings(max_examples=300, deadline=None)
@given(fleet_values)
def test_a_run_reports_what_each_check_reports_alone(values):
    fleet = loaded(values)
    if fleet is None:
        return
    alone = [d for check in checks.CHECKS for d in check(fleet)]
    assert shown(checks.run(fleet)) == shown(alone)
    alone = [d for check in checks.COMPLETENESS for d in check(fleet)]
    assert shown(checks.complete(fleet)) == shown(alone)


# -- the per-VM share checks' fast paths ------------------------------------------


def plain_tables(fleet, vm) -> tuple[list, list, list]:
    """Tags, sockets and mount points of one VM as checks/storage.py judged
    every VM before: a FirstSeen each, holding what fleetc's own shares take;
    what each share (and mounted volume) was told."""
    tags, sockets = FirstSeen(), FirstSeen()
    for what, tag, socket in storage.fleetc_shares(fleet, vm):
        tags.reserve(tag, what)
        if socket is not None:
            sockets.reserve(socket, what)
    mounts = storage._fleetc_mounts(fleet, vm)
    told_tags = [tags.claim(share.tag, "", None) for share in vm.shares]
    told_sockets = []
    for share in vm.shares:
        socket = storage.socket_of(vm, share)
        told_sockets.append(socket and sockets.claim(socket, "", None))
    told_mounts = []
    for node in (*vm.shares, *(v for v in vm.volumes if v.mount is not None)):
        bad = not node.mount.startswith("/") or ".." in node.mount.split("/")
        told_mounts.append(
            bad or mounts.claim(posixpath.normpath(node.mount), "", None)
        )
    return told_tags, told_sockets, told_mounts


@settings(max_examples=300, deadline=None)
@given(fleet_values)
def test_share_checks_skip_only_vms_their_plain_code_passes(values):
    fleet = loaded(values)
    if fleet is None:
        return
    for vm in fleet.vms:
        tags, sockets, mounts = plain_tables(fleet, vm)
        shares = [share.tag for share in vm.shares]
        if distinct(shares, storage.FLEETC_TAGS):
            assert not any(tags)
        if storage._default_sockets_apart(vm):
            assert not any(sockets)
        mounted = [*vm.shares, *(v for v in vm.volumes if v.mount is not None)]
        if storage._clean_mounts([node.mount for node in mounted]):
            assert not any(mounts)
        holding = journals.containing_share(vm, adoption.JOURNALD_DIR)
        assert adoption._may_hold_journal(vm) == (holding is not None)


def storage_diagnostics(fleet):
    found = [*storage.check_share_tags(fleet), *storage.check_share_sockets(fleet)]
    return [*found, *storage.check_mount_points(fleet)]


def test_random_fleets_reach_the_share_checks():
    """The generator above makes VMs that the share checks report."""
    values = (None, "virtiofs", ["lan"], [("h0", [])], [])
    shares = [table({"tag": '"a"', "source": '"/srv"', "mount": '"/srv"'})] * 2
    values[4].append(("h0", [], shares, []))
    codes = [d.code for d in storage_diagnostics(loaded(values))]
    assert codes == ["F501", "F502", "F503"]


@given(st.text(alphabet="/.a", max_size=12))
def test_normpath_is_posixpaths(path):
    assert normpath(path) == posixpath.normpath(path)
