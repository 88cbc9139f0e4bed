# system.build.toplevel, system.stateVersion, assertions and warnings.
# The toplevel is a real store path that records the configuration in
# manifest.nix (hostname, /etc files, tmpfiles rules, ...) instead of
# containing a bootable system.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  etcEntry =
    file:
    {
      inherit (file) target mode text;
    }
    // lib.optionalAttrs (file.text == null) { source = toString file.source; };
  skeleton = builtins.path {
    path = ../skeleton;
    name = "nixos-stand-in-skeleton";
  };
  toplevel = pkgs.standIn.recordTree {
    name = "nixos-system-${config.networking.hostName}";
    manifest = config.standIn.manifest;
    paths = [ skeleton ];
    inputs = config.standIn.buildInputs;
  };
  withWarnings = lib.foldr (warning: builtins.trace "warning: ${warning}") toplevel config.warnings;
in
{
  options = {
    system.build = mkOption {
      type = types.lazyAttrsOf types.unspecified;
      default = { };
      description = "Derivations making up the system.";
    };
    system.stateVersion = mkOption {
      type = types.str;
      default = lib.release;
      description = "The NixOS release whose stateful defaults this system keeps.";
    };
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
      description = "Conditions ({ assertion; message; }) the toplevel checks.";
    };
    warnings = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Messages printed when the toplevel is evaluated.";
    };
    # Not a NixOS option: the data the toplevel's manifest.nix records.
    standIn.manifest = mkOption {
      type = types.attrsOf types.anything;
      default = { };
      internal = true;
      description = "Stand-in only: what system.build.toplevel records.";
    };
    # Not a NixOS option: store paths the toplevel depends on without linking
    # them (a real system mentions them in unit files and scripts).
    standIn.buildInputs = mkOption {
      type = types.listOf types.package;
      default = [ ];
      internal = true;
      description = "Stand-in only: what system.build.toplevel is built after.";
    };
  };

  config = {
    standIn.manifest = {
      inherit (config.networking)
        hostName
        domain
        hostId
        useNetworkd
        ;
      etc = lib.mapAttrs (_: etcEntry) (lib.filterAttrs (_: file: file.enable) config.environment.etc);
      tmpfilesRules = config.systemd.tmpfiles.rules;
      network = {
        inherit (config.systemd.network)
          enable
          networks
          netdevs
          links
          ;
      };
      nixPath = config.nix.nixPath;
      udevExtraRules = config.services.udev.extraRules;
      users = builtins.attrNames config.users.users;
      systemPackages = map (p: p.name or (baseNameOf (toString p))) config.environment.systemPackages;
      inherit (config.system) stateVersion;
    };
    system.build.toplevel =
      if failedAssertions == [ ] then
        withWarnings
      else
        throw "\nFailed assertions:\n${lib.concatMapStrings (m: "- ${m}\n") failedAssertions}";
  };
}
