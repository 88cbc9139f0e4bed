# Stand-in for nixos/lib/eval-config.nix, reached through lib.nixosSystem.
{ lib }:
{
  system ? null,
  modules,
  specialArgs ? { },
  ...
}:
let
  systemModule = {
    _file = toString ./default.nix;
    nixpkgs.system = lib.mkIf (system != null) (lib.mkDefault system);
  };
  evaluated = lib.evalModules {
    specialArgs = {
      modulesPath = toString ./modules;
    } // specialArgs;
    modules = import ./modules/module-list.nix ++ [ systemModule ] ++ modules;
  };
in
evaluated
// {
  class = "nixos";
  pkgs = evaluated.options._module.args.value.pkgs;
}
