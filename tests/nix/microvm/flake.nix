# Stand-in for github:microvm-nix/microvm.nix in fleetc's tests (no network
# there). The microvm.* option declarations are generated from options.json, a
# byte copy of compiler/fleetc/data/microvm-options.json (a flake cannot read
# outside its directory; tests/test_standins.py checks the copy).
#   nixosModules.microvm         guest module, current generation (machineId)
#   nixosModules.microvm-legacy  guest module before 2026-03 (no machineId)
#   nixosModules.host            host module
#   lib.buildRunner              { pkgs, microvmConfig, toplevel }: a runner
# ../microvm-legacy is a flake whose nixosModules.microvm is the old one.
# Tests replace the nixpkgs input with ../nixpkgs via --override-input.
{
  description = "microvm.nix stand-in for fleetc tests";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      data = nixpkgs.lib.importJSON ./options.json;
    in
    {
      nixosModules = {
        microvm = ./nixos-modules/microvm.nix;
        microvm-legacy = ./nixos-modules/microvm-legacy.nix;
        host = ./nixos-modules/host.nix;
      };
      lib = {
        inherit (data) hypervisors;
        buildRunner = import ./lib/runner.nix;
        optionsFromJSON = import ./lib/options-from-json.nix { inherit (nixpkgs) lib; };
      };
    };
}
