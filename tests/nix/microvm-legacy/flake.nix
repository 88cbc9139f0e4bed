# The microvm.nix stand-in as it was before 2026-03: nixosModules.microvm is
# the guest module without microvm.machineId (../microvm's microvm-legacy).
# Tests override both inputs: `nixpkgs` with ../nixpkgs and `current` with
# ../microvm (Nix 2.8 cannot point an input at a relative path).
{
  description = "microvm.nix stand-in for fleetc tests, generation before 2026-03";

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
    {
      nixosModules = current.nixosModules // {
        microvm = current.nixosModules.microvm-legacy;
      };
      inherit (current) lib;
    };
}
