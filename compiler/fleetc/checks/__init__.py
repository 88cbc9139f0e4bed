"""Whole-fleet checks (contract section 3). Each pass only reads the model and
returns diagnostics; all passes run, so one run reports every problem.

`run` judges the values that are present; `complete` then requires the values
fleetc will one day allocate itself. Every pass is linear in the fleet's size:
duplicates through dicts keyed by value, network overlap through a sorted sweep.
What several passes read (every VM's interfaces, shares and volumes, networks
by name, hosts' interface names) is derived once a run, in `index.py`.

May import: core. Never: output, nixbuild, review, cli (tests/test_layers.py).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ..core.diagnostics import Diagnostic
from ..core.model import Fleet
from .allowed import acknowledge as acknowledge
from .index import shared
from .reported_once import once_at_defaults as once_at_defaults
from . import (
    addresses,
    addressing,
    adoption,
    bonds,
    completeness,
    deploy,
    deploy_tools,
    embed,
    hardware,
    ifnames,
    inputs,
    machine_ids,
    macs,
    microvm_options,
    module_files,
    names,
    networks,
    platforms,
    passthrough,
    reach,
    routers,
    recipes,
    references,
    repo_shares,
    storage,
    systems,
    taps,
    unit_values,
    values,
    vm_deploy,
)

Check = Callable[[Fleet], Iterable[Diagnostic]]

# In order: the list is the documentation of what is checked.
CHECKS: list[Check] = [
    # references (F006)
    references.check_vm_hosts,
    references.check_interface_networks,
    references.check_module_inputs,
    # names (F101, F102)
    names.check_machine_names,
    names.check_unique_machine_names,
    names.check_delete_state_names,
    names.check_network_names,
    names.check_input_names,
    # machine-ids (F110..F113, F115)
    machine_ids.check_machine_id_format,
    machine_ids.check_unique_machine_ids,
    machine_ids.check_journal_needs_machine_id,
    # networks (F004, F005, F201, F205, F207, F208, F210, F211)
    networks.check_prefixes,
    networks.check_gateways,
    networks.check_routed_gateways,
    networks.check_reserved,
    networks.check_dns,
    networks.check_vlans,
    networks.check_overlaps,
    # interface addresses (F201..F206, F210, F212)
    addresses.check_interface_addresses,
    addresses.check_one_interface_per_network,
    # addressing from the network (F218, F219)
    addressing.check_assigned_addresses,
    addressing.check_routed_addressing,
    # hosts that route their network (F006, F220..F222)
    routers.check_router_hosts,
    routers.check_router_mode,
    routers.check_router_gateways,
    routers.check_router_placement,
    # MACs (F301..F304)
    macs.check_mac_format,
    macs.check_mac_kind,
    macs.check_unique_macs,
    # tap ids (F401..F403)
    taps.check_tap_ids,
    taps.check_unique_tap_ids,
    # uplinks, VLAN devices, bridges, macvtap links (F405..F407)
    ifnames.check_interface_names,
    ifnames.check_unique_host_names,
    # shares and volumes (F501..F506)
    storage.check_share_tags,
    storage.check_share_sockets,
    storage.check_mount_points,
    storage.check_share_sources,
    storage.check_volume_images,
    storage.check_volume_sizes,
    # values spliced into command lines, paths and units (F150, F151, F510..F520)
    systems.check_systems,
    systems.check_source_name,
    values.check_share_tags,
    values.check_share_paths,
    values.check_volume_images,
    values.check_mount_points,
    values.check_state_dir,
    unit_values.check_zone_ids,
    # hypervisor and devices (F005, F601..F607)
    hardware.check_vsock_cids,
    hardware.check_hypervisors,
    hardware.check_interface_types,
    hardware.check_macvtap,
    hardware.check_share_protos,
    hardware.check_sizes,
    # only what the fleet asks for: journal place, vsock, vhost-net
    # (F507..F509, F620..F623)
    adoption.check_journal_values,
    adoption.check_journal_share_hides,
    adoption.check_vsock_asked,
    adoption.check_vhost,
    # what a hypervisor needs of its host (F610, F611)
    platforms.check_vfkit_hosts,
    # the FAQ's recipes: deploying from CI (F006, F901..F906)
    deploy.check_deploy_flake,
    deploy.check_deploy_purity,
    deploy.check_hydra,
    deploy.check_jobset,
    deploy.check_cache,
    deploy.check_deployed_vms,
    deploy.check_job_names,
    # ... switching hosts with deploy-rs, colmena or nixos-rebuild (F930..F932)
    deploy_tools.check_targets,
    deploy_tools.check_colmena_names,
    deploy_tools.check_deploy_rs_names,
    # ... block devices, the disk group, shared secrets (F910..F912, F920)
    recipes.check_block_devices,
    recipes.check_disk_group,
    recipes.check_shared_secrets,
    # the shapes real fleets have: bonds, hosts without VMs (F213..F215, F633)
    bonds.check_bond_uplink,
    bonds.check_bond_ports,
    bonds.check_microvm_hosts,
    # ... what a network reaches beyond its host (F217, F223)
    reach.check_isolated_bridges,
    reach.check_routed_without_nat,
    # ... any microvm.nix option by its path (F640..F643)
    microvm_options.check_microvm_options,
    # ... a VM's own deploy mode, VMs the host builds (F634..F636)
    vm_deploy.check_declared_config,
    vm_deploy.check_config_system,
    vm_deploy.check_config_runner,
    # ... passthrough devices (F630..F632)
    passthrough.check_device_paths,
    passthrough.check_unique_devices,
    passthrough.check_device_buses,
    # ... flake inputs: follows, non-flake inputs (F026..F029)
    inputs.check_follows_targets,
    inputs.check_non_flake_follows,
    inputs.check_nixpkgs_followed_once,
    inputs.check_non_flake_uses,
]

# Checks that also read where the fleet lives and what is on disk (a Placement).
PLACED: list[Callable[[Fleet, Any], Iterable[Diagnostic]]] = [
    module_files.check_module_files,  # module files (F020..F025)
    repo_shares.check_repo_shares,  # shares from the repository (F515..F518)
    embed.check_embedded_output,  # the root flake carries the fleet (F067)
]

# Values fleetc will allocate (machine-id, MAC, tap id, addresses): required for now.
COMPLETENESS: list[Check] = [
    completeness.check_machine_ids_present,
    completeness.check_macs_present,
    completeness.check_tap_ids_present,
    completeness.check_addresses_present,
]


def run(fleet: Fleet) -> list[Diagnostic]:
    with shared(fleet):
        return [d for check in CHECKS for d in check(fleet)]


def run_placed(fleet: Fleet, placement) -> list[Diagnostic]:
    return [d for check in PLACED for d in check(fleet, placement)]


def complete(fleet: Fleet) -> list[Diagnostic]:
    with shared(fleet):
        return [d for check in COMPLETENESS for d in check(fleet)]
