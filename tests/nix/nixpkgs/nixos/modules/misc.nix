# time.* and boot.loader.*: set by the bundled samples' host modules.
{ lib, ... }:
{
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
