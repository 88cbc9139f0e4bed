# Stand-in for github:zhaofengli/colmena (5bf4ce6) in fleetc's tests (no
# network there): `lib.makeHive`, the function a flake's `colmenaHive` output
# is made with (its manual, "Usage with Flakes"), shaped from colmena's
# src/nix/hive/eval.nix; nothing deploys.
#
# As the real one, it takes the hive (`meta` and one attribute per node),
# refuses the reserved node names, and evaluates each node with
# `<meta.nixpkgs or meta.nodeNixpkgs.<node>>.path + /nixos/lib/eval-config.nix`
# for that package set's system, over colmena's `deployment` options (the
# declarations of src/nix/hive/options.nix, types and defaults as there),
# the package set's overlays, `meta.specialArgs` and `name`/`nodes`. It
# exports the attributes the colmena command reads: `nodes`, `toplevel`,
# `deploymentConfig`, `metaConfig`. Left out: keys (`deployment.keys` is
# declared, nothing uploads), `defaults`, `nixpkgs.config` merging, the
# `network` spelling of `meta`, non-hermetic evaluation.
{
  description = "colmena stand-in for fleetc tests";

  outputs =
    { self }:
    {
      lib.makeHive = rawHive: import ./eval.nix { inherit rawHive; };
      nixosModules.deploymentOptions = import ./options.nix;
    };
}
