# fileSystems.<mount>.neededForBoot: fleetc sets it beside microvm.nix's own
# definition of a share's mount (device, fsType, options: left out here).
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.fileSystems = mkOption {
    type = types.attrsOf (
      types.submodule {
        options.neededForBoot = mkOption {
          type = types.bool;
          default = false;
          description = "Whether the file system is mounted in stage 1 (the initrd).";
        };
      }
    );
    default = { };
    description = "The file systems to mount, by mount point.";
  };
}
