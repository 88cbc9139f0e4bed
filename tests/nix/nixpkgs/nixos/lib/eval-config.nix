# Stand-in for nixos/lib/eval-config.nix, which tools that evaluate NixOS
# themselves (colmena) import from `pkgs.path`; lib.nixosSystem calls the
# same function (../default.nix).
import ../default.nix { lib = import ../../lib; }
