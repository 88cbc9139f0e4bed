# Stand-in for github:microvm-nix/microvm.nix in fleetc's tests (no network
# there). The microvm.* option declarations are generated from options.json, a
# byte copy of compiler/fleetc/data/microvm-options.json (a flake cannot read
# outside its directory; tests/e2e/test_standins.py checks the copy).
#   nixosModules.microvm         guest module, current generation (machineId)
#   nixosModules.host            host module
#   lib.buildRunner              { pkgs, microvmConfig, toplevel }: a runner
#   lib.standIn.{guest,host}     option data -> the guest and host module of
#                                that generation (../microvm-legacy uses them)
# Tests replace the nixpkgs input with ../nixpkgs via --override-input.
{
  description = "microvm.nix stand-in for fleetc tests";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      data = nixpkgs.lib.importJSON ./options.json;
      inherit (nixpkgs.lib) nixosSystem;
      guest = ./nixos-modules/microvm.nix;
    in
    {
      nixosModules = {
        microvm = guest;
        host = import ./nixos-modules/host.nix { inherit data guest nixosSystem; };
      };
      lib = {
        inherit (data) hypervisors;
        buildRunner = import ./lib/runner.nix;
        optionsFromJSON = import ./lib/options-from-json.nix { inherit (nixpkgs) lib; };
        standIn = {
          guest = data: import ./nixos-modules/guest.nix { inherit data; };
          host =
            data:
            import ./nixos-modules/host.nix {
              inherit data nixosSystem;
              guest = import ./nixos-modules/guest.nix { inherit data; };
            };
        };
      };
    };
}
