# Stand-in for github:Mic92/sops-nix in fleetc's tests (no network there):
# nixosModules.sops declares the options fleetc's output and the samples set,
# with sops-nix's types and defaults (modules/sops/default.nix). Nothing is
# decrypted; the host toplevel's manifest records keepGenerations.
{
  description = "sops-nix stand-in for fleetc tests";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    {
      nixosModules.sops =
        { config, lib, ... }:
        {
          options.sops = {
            keepGenerations = lib.mkOption {
              type = lib.types.ints.unsigned;
              default = 1;
              description = "Number of secrets generations to keep. Setting this to 0 disables pruning.";
            };
            secrets = lib.mkOption {
              type = lib.types.attrsOf lib.types.anything;
              default = { };
              description = "Secrets to decrypt, by name (a submodule in sops-nix).";
            };
          };
          config.standIn.manifest.sops = { inherit (config.sops) keepGenerations; };
        };
      nixosModules.default = self.nixosModules.sops;
    };
}
