# Stand-in for microvm.nix's guest module (nixos-modules/microvm), current
# generation (2026-03 on). Like its system.nix: when microvm.machineId is not
# null it writes /etc/machine-id from it, dashes removed, plus "\n"; and since
# machineId defaults to an id derived from the hostname, it always does unless
# the configuration sets machineId = null. A second definition of
# environment.etc."machine-id".text (the FAQ's recipe) therefore concatenates.
# Left out: boot, kernel, store disk, interfaces/shares plumbing, virtiofsd.
{ config, lib, ... }:
let
  machineId = config.microvm.machineId;
in
{
  imports = [ (import ./guest.nix { data = builtins.fromJSON (builtins.readFile ../options.json); }) ];
  config = lib.mkIf config.microvm.guest.enable {
    environment.etc."machine-id" = lib.mkIf (machineId != null) {
      text = lib.replaceString "-" "" machineId + "\n";
    };
    networking.hostId = lib.mkIf (machineId != null) (lib.mkDefault (builtins.substring 0 8 machineId));
  };
}
