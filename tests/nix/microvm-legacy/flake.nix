# The microvm.nix stand-in as of astro/microvm.nix f30ae9b (2025-07-12), the
# generation many flakes still pin: the same stand-in modules as ../microvm,
# declared from this generation's option data, options.json (a byte copy of
# compiler/fleetc/data/microvm-options-2025-07.json; tests/e2e/test_standins.py
# checks the copy). So it has no microvm.machineId (and nothing writes
# /etc/machine-id), no shares.*.readOnly, no vmHostPackages, no vfkit.
# Tests override both inputs: `nixpkgs` with ../nixpkgs and `current` with
# ../microvm (Nix 2.8 cannot point an input at a relative path).
{
  description = "microvm.nix stand-in for fleetc tests, generation of 2025-07";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.current = {
    url = "github:microvm-nix/microvm.nix";
    inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs =
    {
      self,
      nixpkgs,
      current,
    }:
    let
      data = nixpkgs.lib.importJSON ./options.json;
    in
    {
      nixosModules = {
        microvm = current.lib.standIn.guest data;
        host = current.lib.standIn.host data;
      };
      lib = current.lib // {
        inherit (data) hypervisors;
      };
    };
}
