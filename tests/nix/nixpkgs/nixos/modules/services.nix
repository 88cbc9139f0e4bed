# services.*: udev rules (fleetc's block-device access) and the few services the
# bundled samples' own modules configure. Types as in NixOS.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  enable = description: mkOption {
    type = types.bool;
    default = false;
    inherit description;
  };
in
{
  options.services = {
    udev.extraRules = mkOption {
      type = types.lines;
      default = "";
      description = "Extra udev rules.";
    };
    journald.extraConfig = mkOption {
      type = types.lines;
      default = "";
      description = "Extra journald.conf settings.";
    };
    openssh.enable = enable "Whether to run the OpenSSH daemon.";
    nginx.enable = enable "Whether to run nginx.";
  };
}
