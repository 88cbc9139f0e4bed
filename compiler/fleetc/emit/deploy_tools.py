"""The deploy outputs of outputs.nix: deploy-rs's `deploy` and `checks`, or
colmena's `colmenaHive` (`[fleet] deploy_tool`).

Only hosts are nodes: a declarative VM is switched with its host (its runner
is part of the host's system), an imperative one is updated on its host
afterwards (`microvm -Ru`, or update-microvm), never by the tool.

deploy-rs (github:serokell/deploy-rs, README and interface.json): a node has
`hostname`, `sshUser` and `sshOpts` from `target`, and one profile, `system`,
activated as root with `deploy-rs.lib.<system>.activate.nixos` over the
host's nixosConfiguration; `checks` are deploy-rs's `deployChecks`, as its
README advises.

colmena (github:zhaofengli/colmena, manual "Usage with Flakes",
src/nix/hive/eval.nix and options.nix): `colmena.lib.makeHive` over `meta`
(`nixpkgs` an initialised package set, one per other host system in
`nodeNixpkgs`, fleetc's `specialArgs`) and one node per host, whose
`imports` are exactly the modules of its nixosConfiguration, so both build
the same system. `deployment.targetUser` is null without a user in
`target`: ssh's own default then, as with deploy-rs and nixos-rebuild.
"""

from __future__ import annotations

from . import nix
from ..core.model import Fleet, Host
from .common import by_name

DEPLOY_RS_WHY = (
    "deploy-rs: `deploy <flake>#<host>` switches a host (profile `system`, as root)"
)
CHECKS_WHY = "deploy-rs's own checks of deploy.nodes (its README: highly advised)"
COLMENA_WHY = (
    "colmena: `colmena apply --on <host>` switches a host; each node imports\n"
    "the modules of the host's nixosConfigurations entry"
)


def deploy_outputs(fleet: Fleet, host_modules: dict[str, list]) -> dict:
    """Attribute (a path) -> nix.Commented value, in order."""
    if fleet.deploy_tool == "deploy-rs":
        return deploy_rs(fleet)
    if fleet.deploy_tool == "colmena":
        return colmena(fleet, host_modules)
    return {}


def deploy_rs(fleet: Fleet) -> dict:
    nodes = {host.name: deploy_rs_node(host) for host in by_name(fleet.hosts)}
    checks = nix.Expr(
        "builtins.mapAttrs (system: deployLib: deployLib.deployChecks self.deploy)"
        " inputs.deploy-rs.lib"
    )
    return {
        ("deploy", "nodes"): nix.Commented(nodes, DEPLOY_RS_WHY),
        "checks": nix.Commented(checks, CHECKS_WHY),
    }


def deploy_rs_node(host: Host) -> dict:
    from ..core import ssh_target  # loaded only by a fleet with a deploy tool

    target = ssh_target.of_host(host.name, host.target)
    node: dict = {"hostname": target.host}
    if target.user is not None:
        node["sshUser"] = target.user
    if target.port is not None:
        node["sshOpts"] = ["-p", str(target.port)]
    lib = nix.attr_path("inputs", "deploy-rs", "lib", host.system)
    configuration = nix.attr_path("self", "nixosConfigurations", host.name)
    activate = nix.Expr(f"{lib}.activate.nixos {configuration}")
    node[("profiles", "system")] = {"user": "root", "path": activate}
    return node


def colmena(fleet: Fleet, host_modules: dict[str, list]) -> dict:
    hive: dict = {"meta": colmena_meta(fleet)}
    for host in by_name(fleet.hosts):
        hive[host.name] = {
            "deployment": deployment(host),
            "imports": host_modules[host.name],
        }
    hive_text = nix.render(hive, 1)
    make_hive = nix.Expr(f"inputs.colmena.lib.makeHive {hive_text}")
    return {"colmenaHive": nix.Commented(make_hive, COLMENA_WHY)}


def colmena_meta(fleet: Fleet) -> dict:
    """colmena evaluates every node with meta.nixpkgs's system unless
    meta.nodeNixpkgs gives the node its own package set."""
    meta: dict = {"nixpkgs": package_set(fleet.system)}
    others = {
        host.name: package_set(host.system)
        for host in by_name(fleet.hosts)
        if host.system != fleet.system
    }
    if others:
        meta["nodeNixpkgs"] = others
    meta["specialArgs"] = nix.Expr("specialArgs")
    return meta


def package_set(system: str) -> nix.Expr:
    return nix.Expr(f"import nixpkgs {{ system = {nix.string(system)}; }}")


def deployment(host: Host) -> dict:
    from ..core import ssh_target  # loaded only by a fleet with a deploy tool

    target = ssh_target.of_host(host.name, host.target)
    found: dict = {"targetHost": target.host}
    if target.port is not None:
        found["targetPort"] = target.port
    found["targetUser"] = target.user
    return found
