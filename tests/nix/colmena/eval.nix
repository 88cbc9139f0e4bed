# colmena's src/nix/hive/eval.nix, hermetic flake evaluation only (see
# flake.nix): the hive's nodes evaluated as colmena evaluates them.
{ rawHive }:
let
  hive = if builtins.isFunction rawHive then rawHive { } else rawHive;
  meta = {
    name = "hive";
    description = "A Colmena Hive";
    nodeNixpkgs = { };
    nodeSpecialArgs = { };
    specialArgs = { };
  } // hive.meta or (throw "meta.nixpkgs must be specified in hermetic mode.");
  # Like mkNixpkgs: an initialised package set, never an uninitialised flake.
  packageSet =
    what: value:
    if builtins.isAttrs value && !(value ? outputs) && value ? path then
      value
    else
      throw "Passing ${what} that is not an initialised Nixpkgs is no longer accepted with Flakes.";
  nixpkgs = packageSet "meta.nixpkgs" (meta.nixpkgs or (throw "meta.nixpkgs must be specified in hermetic mode."));
  inherit (nixpkgs) lib;
  reservedNames = [
    "defaults"
    "network"
    "meta"
  ];
  nodeNames = builtins.filter (name: !builtins.elem name reservedNames) (builtins.attrNames hive);
  configsFor =
    node:
    let
      config = hive.${node};
    in
    if builtins.isList config then config else [ config ];
  evalNode =
    name: configs:
    let
      npkgs =
        if meta.nodeNixpkgs ? ${name} then
          packageSet "meta.nodeNixpkgs.${name}" meta.nodeNixpkgs.${name}
        else
          nixpkgs;
      evalConfig = import (npkgs.path + "/nixos/lib/eval-config.nix");
      nixpkgsModule = {
        nixpkgs.overlays = lib.mkBefore npkgs.overlays;
      };
    in
    evalConfig {
      inherit (npkgs) system;
      modules = [
        nixpkgsModule
        ./options.nix
      ] ++ configs;
      specialArgs = {
        inherit name;
        nodes = uncheckedNodes;
      } // meta.specialArgs // (meta.nodeSpecialArgs.${name} or { });
    };
  uncheckedNodes = lib.genAttrs nodeNames (name: evalNode name (configsFor name));
  nodes = uncheckedNodes;
in
{
  __schema = "v0.5";
  inherit nodes;
  toplevel = lib.mapAttrs (_: v: v.config.system.build.toplevel) nodes;
  deploymentConfig = lib.mapAttrs (_: v: v.config.deployment) nodes;
  metaConfig = {
    inherit (meta) name description;
  };
}
