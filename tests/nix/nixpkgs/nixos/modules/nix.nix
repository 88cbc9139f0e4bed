# nix.nixPath and nix.settings.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.nix = {
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
