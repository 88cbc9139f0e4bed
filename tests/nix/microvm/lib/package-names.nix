# Each hypervisor's (and virtiofsd's) package by its nixpkgs attribute name:
# the default of microvm.<name>.package where a generation has that option
# (from microvm.vmHostPackages), and where it has not (2025-07), what its
# runners take from buildRunner's `pkgs` directly.
{
  qemu = "qemu_kvm";
  cloud-hypervisor = "cloud-hypervisor";
  firecracker = "firecracker";
  crosvm = "crosvm";
  kvmtool = "kvmtool";
  stratovirt = "stratovirt";
  alioth = "alioth";
  vfkit = "vfkit";
  virtiofsd = "virtiofsd";
}
