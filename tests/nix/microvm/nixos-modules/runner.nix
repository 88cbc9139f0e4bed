# microvm.runner.<hypervisor>, built as microvm.nix's nixos-modules/microvm
# (default.nix) builds them: lib.buildRunner with the guest's own pkgs, for
# every hypervisor of the generation (`hypervisors`, from its option data).
{ hypervisors }:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  buildRunner = import ../lib/runner.nix;
in
{
  config.microvm.runner = lib.genAttrs hypervisors (
    hypervisor:
    buildRunner {
      inherit pkgs;
      microvmConfig = config.microvm // {
        inherit (config.networking) hostName;
        inherit hypervisor;
      };
      inherit (config.system.build) toplevel;
    }
  );
}
