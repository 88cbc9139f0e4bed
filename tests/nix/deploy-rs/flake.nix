# Stand-in for github:serokell/deploy-rs (d5eff7f) in fleetc's tests (no
# network there): the `lib.<system>` its flake exports through its overlay,
# `activate` and `deployChecks`, shaped from its flake.nix; nothing deploys.
#
# - activate.custom base activate: like deploy-rs's, a profile holding the
#   base (here linked by builtin:buildenv) plus `deploy-rs-activate` and
#   `activate-rs` (here scripts that only say they are stand-ins); the
#   activation command is recorded in manifest.nix.
# - activate.nixos base: custom over `base.config.system.build.toplevel` with
#   deploy-rs's `switch-to-configuration switch` command.
# - deployChecks deploy: deploy-rs's two checks. `deploy-schema` checks the
#   JSON of `deploy` against interface.json with check-jsonschema; here the
#   same rules are written in Nix (lib/interface.nix) and evaluation throws
#   naming the first violation. `deploy-activate` tests that every profile
#   path holds both activation scripts; here that is read when the check is
#   evaluated (the profiles are built first).
{
  description = "deploy-rs stand-in for fleetc tests";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      checkInterface = import ./lib/interface.nix { inherit lib; };
      skeleton = builtins.path {
        path = ./skeleton;
        name = "deploy-rs-skeleton";
      };
      forSystem =
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        rec {
          activate = rec {
            custom =
              base: activate:
              pkgs.standIn.recordTree {
                name = "activatable-" + base.name;
                manifest = {
                  base = "${base}";
                  inherit activate;
                };
                paths = [
                  base
                  skeleton
                ];
              };
            nixos =
              base:
              custom base.config.system.build.toplevel ''
                cd /tmp
                $PROFILE/bin/switch-to-configuration switch
              '';
          };
          deployChecks = deploy: {
            deploy-schema = pkgs.standIn.recordTree {
              name = "jsonschema-deploy-system";
              manifest.checked = checkInterface deploy;
            };
            deploy-activate =
              let
                profiles = lib.concatLists (
                  lib.mapAttrsToList (
                    nodeName: node:
                    lib.mapAttrsToList (profileName: profile: {
                      inherit nodeName profileName;
                      path = toString profile.path;
                    }) node.profiles
                  ) deploy.nodes
                );
                activatable =
                  p:
                  builtins.pathExists "${p.path}/deploy-rs-activate"
                  && builtins.pathExists "${p.path}/activate-rs"
                  || throw "#${p.nodeName}.${p.profileName} is missing the deploy-rs-activate activation script";
              in
              pkgs.standIn.recordTree {
                name = "deploy-rs-check-activate";
                manifest.profiles = map (p: assert activatable p; p) profiles;
              };
          };
        };
    in
    {
      lib = lib.genAttrs [
        "x86_64-linux"
        "aarch64-linux"
      ] forSystem;
    };
}
