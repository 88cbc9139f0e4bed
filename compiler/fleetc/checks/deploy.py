"""[fleet.deploy]: what update-microvm needs to reach Hydra, the binary cache
and the right VMs (F006, F901..F906).

Hydra's own rules ($projectNameRE and friends in Hydra's
src/lib/Hydra/Helper/CatalystUtils.pm): project names `[A-Za-z_][A-Za-z0-9-_]*`,
jobset names the same plus `.`, job names dot-separated attribute names
`[A-Za-z_][A-Za-z0-9-_]*`. The script asks for job `<vm>`, so a VM name must
be such a name; host names may start with a digit, Hydra job names may not.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlsplit

from ..core.diagnostics import Diagnostic, error
from ..core.model import Fleet
from .common import Suggester

# Patterns compiled on first use (re caches them): only a fleet with [deploy] uses them.
JOBSET = r"[A-Za-z_][A-Za-z0-9_-]*/[A-Za-z_][A-Za-z0-9_.-]*\Z"
JOB = r"[A-Za-z_][A-Za-z0-9_-]*\Z"
# Text that reaches a URL unencoded: no whitespace or control characters.
_UNSAFE = r"[\s\x00-\x1f\x7f]"


def check_deploy_flake(fleet: Fleet) -> Iterator[Diagnostic]:
    deploy = fleet.deploy
    if deploy is not None and fleet.flake is None:
        message = "[fleet.deploy] needs `flake` in [fleet]"
        help = (
            "update-microvm only touches VMs installed from this fleet's flake:"
            ' add `flake = "git+https://..."` to [fleet]'
        )
        yield error("F901", message, deploy.span, help=help)


def check_deploy_purity(fleet: Fleet) -> Iterator[Diagnostic]:
    """Hydra evaluates flakes purely, where `builtins.storePath <nixpkgs>`
    (nix_path = "channel") is an error: no job would ever build."""
    if fleet.deploy is not None and fleet.nix_path == "channel":
        message = 'Hydra cannot evaluate `nix_path = "channel"`: it is impure'
        help = 'use nix_path = "flake" (the VMs then get the flake\'s own nixpkgs)'
        yield error("F906", message, fleet.at("nix_path"), help=help)


def check_hydra(fleet: Fleet) -> Iterator[Diagnostic]:
    deploy = fleet.deploy
    if deploy is None:
        return
    if not _is_server_url(deploy.hydra):
        message = (
            f"`hydra` must be the http(s) URL of a Hydra server, not `{deploy.hydra}`"
        )
        help = 'e.g. hydra = "https://hydra.example.org"'
        yield error("F902", message, deploy.at("hydra"), help=help)


def _is_server_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:  # such as an unclosed `[` of an IPv6 host
        return False
    plain = not (parts.query or parts.fragment or re.search(_UNSAFE, text))
    return parts.scheme in ("http", "https") and bool(parts.netloc) and plain


def check_jobset(fleet: Fleet) -> Iterator[Diagnostic]:
    deploy = fleet.deploy
    if deploy is not None and not re.match(JOBSET, deploy.jobset):
        message = f"`jobset` must be `<project>/<jobset>`, not `{deploy.jobset}`"
        help = (
            "as in <hydra>/job/<project>/<jobset>/<job>, e.g."
            ' jobset = "org/nix-config"'
        )
        yield error("F903", message, deploy.at("jobset"), help=help)


def check_cache(fleet: Fleet) -> Iterator[Diagnostic]:
    deploy = fleet.deploy
    if deploy is None:
        return
    if "://" not in deploy.cache or re.search(_UNSAFE, deploy.cache):
        message = f"`cache` must be a Nix store URL, not `{deploy.cache}`"
        help = 'what `nix copy --from` takes, e.g. cache = "https://cache.example.org"'
        yield error("F905", message, deploy.at("cache"), help=help)


def check_deployed_vms(fleet: Fleet) -> Iterator[Diagnostic]:
    deploy = fleet.deploy
    if deploy is None:
        return
    names = {vm.name for vm in fleet.vms}
    suggest = Suggester(sorted(names))
    for index, name in enumerate(deploy.vms):
        if name not in names:
            help = suggest(name) or f"declare it as [vms.{name}]"
            yield error(
                "F006", f"unknown vm `{name}`", deploy.at("vms", index), help=help
            )


def check_job_names(fleet: Fleet) -> Iterator[Diagnostic]:
    deploy = fleet.deploy
    if deploy is None:
        return
    for vm in fleet.vms:
        if deploy.deploys(vm.name) and not re.match(JOB, vm.name):
            message = f"vm `{vm.name}` cannot be a Hydra job: job names start with a letter or `_`"
            help = "rename the VM, or leave it out of [fleet.deploy] vms"
            yield error("F904", message, vm.span, help=help)
