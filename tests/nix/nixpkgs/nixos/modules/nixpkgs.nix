# nixpkgs.system / nixpkgs.hostPlatform / nixpkgs.overlays, and the `pkgs`
# module argument.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  platform = config.nixpkgs.hostPlatform;
  system = if builtins.isString platform then platform else platform.system;
  # As NixOS declares it (nixos/modules/misc/nixpkgs.nix).
  overlayType = lib.mkOptionType {
    name = "nixpkgs-overlay";
    description = "nixpkgs overlay";
    check = builtins.isFunction;
    merge = lib.mergeOneOption;
  };
in
{
  options.nixpkgs = {
    system = mkOption {
      type = types.str;
      default = "x86_64-linux";
      description = "The platform to build for (older spelling of hostPlatform).";
    };
    overlays = mkOption {
      type = types.listOf overlayType;
      default = [ ];
      description = "Overlays (final: prev: { ... }) applied to pkgs, in order.";
    };
    hostPlatform = mkOption {
      type = types.either types.str types.attrs;
      default = {
        inherit (config.nixpkgs) system;
      };
      description = "The platform the system runs on.";
    };
  };
  config._module.args.pkgs = lib.mkOptionDefault (
    import ../../pkgs.nix {
      inherit lib system;
      inherit (config.nixpkgs) overlays;
    }
  );
}
