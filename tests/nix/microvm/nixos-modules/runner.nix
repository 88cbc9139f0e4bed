# microvm.runner.<hypervisor>: real store paths standing in for microvm.nix's
# runners. Each links bin/microvm-run (a script that only explains it is a
# stand-in) and the guest's toplevel, and records in manifest.nix what a real
# runner would pass to the hypervisor. Reading those values here also
# type-checks them whenever a runner is evaluated.
{
  config,
  options,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.microvm;
  inherit (config.networking) hostName;
  inherit (config.system.build) toplevel;
  hypervisors = (lib.importJSON ../options.json).hypervisors;
  skeleton = builtins.path {
    path = ../skeleton;
    name = "microvm-runner-skeleton";
  };
  interface =
    i:
    {
      inherit (i) type id mac;
    }
    // lib.optionalAttrs (i.type == "bridge") { inherit (i) bridge; }
    // lib.optionalAttrs (i.type == "macvtap") { inherit (i) macvtap; }
    // lib.optionalAttrs (i.type == "tap") { inherit (i) tap; };
  share = s: {
    inherit (s)
      tag
      source
      mountPoint
      proto
      socket
      readOnly
      ;
  };
  volume = v: {
    inherit (v)
      image
      mountPoint
      size
      fsType
      autoCreate
      ;
  };
  manifest =
    hypervisor:
    {
      inherit hypervisor hostName;
      inherit (cfg) vcpu mem;
      interfaces = map interface cfg.interfaces;
      shares = map share cfg.shares;
      volumes = map volume cfg.volumes;
      vsockCid = cfg.vsock.cid;
      toplevel = "${toplevel}";
    }
    // lib.optionalAttrs (options.microvm ? machineId) { inherit (cfg) machineId; };
  runner =
    hypervisor:
    pkgs.standIn.recordTree {
      name = "microvm-${hypervisor}-${hostName}";
      manifest = manifest hypervisor;
      paths = [
        skeleton
        toplevel
      ];
    };
in
{
  config.microvm.runner = lib.genAttrs hypervisors runner;
}
