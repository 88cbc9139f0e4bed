# Stand-in for nixpkgs' default.nix: `import nixpkgs { system; overlays; }` is
# the package set (pkgs.nix), with the attributes colmena's hive evaluation
# reads of it as of real nixpkgs: `path` (the source, for
# nixos/lib/eval-config.nix), `system`, `overlays`, `config`, `lib`.
{
  system,
  overlays ? [ ],
  config ? { },
}:
let
  lib = import ./lib;
in
import ./pkgs.nix { inherit lib system overlays; }
// {
  path = ./.;
  inherit overlays config;
}
