# nix.package, nix.nixPath and nix.settings.
{ lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.nix = {
    package = mkOption {
      type = types.package;
      default = pkgs.nix;
      description = "The Nix the system uses (its daemon and its `nix` command).";
    };
    nixPath = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "NIX_PATH entries, e.g. nixpkgs=/nix/store/...";
    };
    settings = mkOption {
      type = types.attrsOf types.anything;
      default = { };
      description = "nix.conf settings.";
    };
  };
}
