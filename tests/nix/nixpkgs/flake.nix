# Stand-in for github:NixOS/nixpkgs in fleetc's tests (no network there).
# `lib` is a small module system written from scratch (lib/), and
# `lib.nixosSystem` evaluates modules against the few NixOS option
# declarations fleetc's output sets (nixos/modules/). Nothing is compiled:
# `system.build.toplevel` is a directory recording the configuration.
{
  description = "nixpkgs stand-in for fleetc tests";

  outputs =
    { self }:
    let
      lib = import ./lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
    in
    {
      lib = lib // {
        nixosSystem = import ./nixos { inherit lib; };
      };
      legacyPackages = lib.genAttrs systems (system: import ./pkgs.nix { inherit lib system; });
    };
}
