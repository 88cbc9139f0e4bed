# Stand-in for microvm.nix's guest module before 2026-03 (before commit
# 706a7db, "register MicroVMs with systemd-machined"): no microvm.machineId
# and no microvm.registerWithMachined options, and nothing writes
# /etc/machine-id; the FAQ's environment.etc."machine-id" recipe is the way.
{
  imports = [
    (import ./guest.nix {
      omit = [
        "machineId"
        "registerWithMachined"
      ];
    })
  ];
}
