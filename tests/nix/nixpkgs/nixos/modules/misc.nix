# time.* and boot.loader.*: set by the bundled samples' host modules;
# boot.kernel.sysctl: set by fleetc for hosts that route a network.
{ lib, ... }:
{
  options.boot.kernel.sysctl = lib.mkOption {
    type = lib.types.attrsOf lib.types.anything;
    default = { };
    description = "Runtime kernel parameters (sysctl.d), by key.";
  };
  options.time.timeZone = lib.mkOption {
    type = lib.types.nullOr lib.types.str;
    default = null;
    description = "The time zone.";
  };
  options.boot.loader.systemd-boot.enable = lib.mkOption {
    type = lib.types.bool;
    default = false;
    description = "Whether to boot with systemd-boot.";
  };
}
