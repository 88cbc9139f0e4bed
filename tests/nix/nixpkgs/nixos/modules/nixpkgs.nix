# nixpkgs.system / nixpkgs.hostPlatform, and the `pkgs` module argument.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  platform = config.nixpkgs.hostPlatform;
  system = if builtins.isString platform then platform else platform.system;
in
{
  options.nixpkgs = {
    system = mkOption {
      type = types.str;
      default = "x86_64-linux";
      description = "The platform to build for (older spelling of hostPlatform).";
    };
    hostPlatform = mkOption {
      type = types.either types.str types.attrs;
      default = {
        inherit (config.nixpkgs) system;
      };
      description = "The platform the system runs on.";
    };
  };
  config._module.args.pkgs = lib.mkOptionDefault (import ../../pkgs.nix { inherit lib system; });
}
