# systemd.package, systemd-networkd units, tmpfiles rules and services. NixOS
# types the unit sections in detail; `attrsOf anything` keeps the merge
# behaviour that matters (units merge per attribute, conflicting scalars fail).
{ lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  units =
    description:
    mkOption {
      type = types.attrsOf types.anything;
      default = { };
      inherit description;
    };
in
{
  options.systemd = {
    package = mkOption {
      type = types.package;
      default = pkgs.systemd;
      description = "The systemd the system runs (systemctl included).";
    };
    network = {
      enable = mkOption {
        type = types.bool;
        default = false;
        description = "Whether to enable systemd-networkd.";
      };
      networks = units "systemd-networkd .network units.";
      netdevs = units "systemd-networkd .netdev units.";
      links = units "systemd-networkd .link units.";
    };
    tmpfiles.rules = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "systemd-tmpfiles rules, one per line of tmpfiles.d(5).";
    };
    services = units "systemd services.";
  };
}
