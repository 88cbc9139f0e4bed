# What both generations of the guest module share: the microvm.* declarations
# from a generation's option data (`data`: ../options.json, or
# ../../microvm-legacy/options.json), defaults the data only describes, and
# the runners. `import ./guest.nix { data = lib.importJSON ...; }` is a module.
{ data }:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  fromJSON = import ../lib/options-from-json.nix { inherit lib; };
  # As in microvm.nix's options.nix.
  hostName = config.networking.hostName or "$HOSTNAME";
  hash = builtins.hashString "sha256" "microvm.nix:${hostName}";
  hashPart = offset: length: builtins.substring offset length hash;
  computedDefaults = {
    machineId = lib.concatStringsSep "-" [
      (hashPart 0 8)
      (hashPart 8 4)
      (hashPart 12 4)
      (hashPart 16 4)
      (hashPart 20 12)
    ];
    socket = "${hostName}.sock";
    "graphics.socket" = "${hostName}-gpu.sock";
    declaredRunner = config.microvm.runner.${config.microvm.hypervisor};
    # As options.nix: host-side packages come from vmHostPackages (the
    # guest's own pkgs unless set), each hypervisor's under its nixpkgs name.
    vmHostPackages = pkgs;
  }
  // lib.mapAttrs' (name: attribute: {
    name = "${name}.package";
    value = config.microvm.vmHostPackages.${attribute};
  }) packageNames;
  packageNames = import ../lib/package-names.nix;
in
{
  imports = [ (import ./runner.nix { inherit (data) hypervisors; }) ];
  options.microvm = fromJSON.declarations computedDefaults data.microvm_guest_options;
}
