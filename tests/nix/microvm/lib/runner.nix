# Stand-in for microvm.nix's lib.buildRunner (lib/runner.nix), with its real
# arguments: `pkgs` (the package set the runner is built with),
# `microvmConfig` (config.microvm plus hostName) and the guest's `toplevel`.
# The runner is a real store path that links bin/microvm-run (a script that
# only explains it is a stand-in) and the guest's toplevel, and records in
# manifest.nix what a real runner would pass to the hypervisor. Like the real
# one, it takes the hypervisor package from microvmConfig.<hypervisor>.package
# (whose default comes from microvm.vmHostPackages) and its helpers from
# `pkgs`; reading the values also type-checks them whenever a runner is built.
# Generations without those options (2025-07) take the hypervisor from `pkgs`
# too, and options a generation lacks (a share's readOnly, a tap's settings)
# are recorded only where they exist.
{
  pkgs,
  microvmConfig,
  toplevel,
}:
let
  inherit (pkgs) lib;
  cfg = microvmConfig;
  inherit (cfg) hostName hypervisor;
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
    // lib.optionalAttrs (i.type == "tap" && i ? tap) { inherit (i) tap; };
  share =
    s:
    {
      inherit (s)
        tag
        source
        mountPoint
        proto
        socket
        ;
    }
    // lib.optionalAttrs (s ? readOnly) { inherit (s) readOnly; };
  packageNames = import ./package-names.nix;
  hypervisorPackage = cfg.${hypervisor}.package or pkgs.${packageNames.${hypervisor}};
  # As lib/volumes.nix: `size` is read only for volumes it creates.
  volume =
    v:
    {
      inherit (v)
        image
        mountPoint
        fsType
        autoCreate
        ;
    }
    // lib.optionalAttrs v.autoCreate { inherit (v) size; };
  manifest = {
    inherit hypervisor hostName;
    inherit (cfg) vcpu mem;
    interfaces = map interface cfg.interfaces;
    shares = map share cfg.shares;
    volumes = map volume cfg.volumes;
    vsockCid = cfg.vsock.cid;
    toplevel = "${toplevel}";
    hypervisorPackage = "${hypervisorPackage}";
    # cloud-hypervisor's and firecracker's runners call pkgs.socat and pkgs.curl.
    helpers = "${pkgs.socat}";
  }
  // lib.optionalAttrs (cfg ? machineId) { inherit (cfg) machineId; };
in
pkgs.standIn.recordTree {
  name = "microvm-${hypervisor}-${hostName}";
  inherit manifest;
  paths = [
    skeleton
    toplevel
  ];
}
