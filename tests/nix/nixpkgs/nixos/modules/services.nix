# services.udev.extraRules.
{ lib, ... }:
{
  options.services.udev.extraRules = lib.mkOption {
    type = lib.types.lines;
    default = "";
    description = "Extra udev rules.";
  };
}
