# The networking.* options fleetc's modules set; types as in NixOS.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.networking = {
    hostName = mkOption {
      # NixOS' own rule (RFC 1123 label, no dots).
      type = types.strMatching "^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$";
      default = "nixos";
      description = "The name of the machine.";
    };
    domain = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "The domain, so that the FQDN is <hostName>.<domain>.";
    };
    hostId = mkOption {
      type = types.nullOr (types.strMatching "[0-9a-f]{8}");
      default = null;
      description = "32-bit host ID, 8 hex digits.";
    };
    useNetworkd = mkOption {
      type = types.bool;
      default = false;
      description = "Whether to configure networking through systemd-networkd.";
    };
    useDHCP = mkOption {
      type = types.bool;
      default = true;
      description = "Whether to run DHCP on all interfaces by default.";
    };
    nat = {
      enable = mkOption {
        type = types.bool;
        default = false;
        description = "Whether to enable NAT (routed MicroVM networks use it).";
      };
      internalIPs = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Internal IPv4 networks to NAT.";
      };
      internalIPv6s = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Internal IPv6 networks to NAT.";
      };
      externalInterface = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The interface towards the outside.";
      };
    };
  };
}
