# The NixOS option declarations the stand-in knows. Anything else a module
# sets is an undeclared option, as it would be for a typo in real NixOS.
[
  ./nixpkgs.nix
  ./networking.nix
  ./systemd.nix
  ./environment.nix
  ./nix.nix
  ./users.nix
  ./services.nix
  ./misc.nix
  ./system.nix
  ./filesystems.nix
]
