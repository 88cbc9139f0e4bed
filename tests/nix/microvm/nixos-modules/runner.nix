# microvm.runner.<hypervisor>, built as microvm.nix's nixos-modules/microvm
# (default.nix) builds them: lib.buildRunner with the guest's own pkgs, for
# every hypervisor.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  buildRunner = import ../lib/runner.nix;
  hypervisors = (lib.importJSON ../options.json).hypervisors;
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
