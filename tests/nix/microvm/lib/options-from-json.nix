# Turns microvm.nix's option data (../options.json, a byte copy of
# compiler/fleetc/data/microvm-options.json) back into option declarations
# of whatever module system evaluates it. A node is a declaration when its
# `type` is a type descriptor ({ name; elem?; values?; options?; }); any
# other node is a group of options.
#
# Lossy spots, all in the data rather than here: `either`, `pkgs` and
# "Toplevel NixOS config" lost their parameters in the extraction and become
# `unspecified` (anything goes); `separatedString` is `lines`, which is what
# microvm.nix uses (preStart, binScripts); defaults the extraction could only
# describe ("default_note") come from `computedDefaults`, keyed by dotted path.
{ lib }:
let
  inherit (lib) mkOption types;
  isDeclaration = node: builtins.isAttrs (node.type or null) && builtins.isString (node.type.name or null);
  typeOf =
    descriptor:
    let
      elem = typeOf descriptor.elem;
    in
    {
      str = types.str;
      nonEmptyStr = types.nonEmptyStr;
      int = types.int;
      positiveInt = types.ints.positive;
      unsignedInt = types.ints.unsigned;
      unsignedInt16 = types.ints.u16;
      bool = types.bool;
      path = types.path;
      package = types.package;
      separatedString = types.lines;
      attrs = types.attrs;
      anything = types.anything;
      unspecified = types.unspecified;
      deferredModule = types.deferredModule;
      enum = types.enum descriptor.values;
      listOf = types.listOf elem;
      attrsOf = types.attrsOf elem;
      nullOr = types.nullOr elem;
      submodule = types.submodule { options = declarations lostDefaults [ ] descriptor.options; };
    }
    .${descriptor.name} or types.unspecified;

  # Defaults microvm.nix declares that the extraction lost, by path inside
  # their submodule: microvm.vms.<name>.updateFlake and .flake are `default =
  # null`, .specialArgs `default = { }` in nixos-modules/host/options.nix of
  # both generations (read by fully declarative VMs, `config`).
  lostDefaults = {
    updateFlake = null;
    flake = null;
    specialArgs = { };
  };

  declare =
    computedDefaults: key: node:
    mkOption (
      {
        type = typeOf node.type;
        description = "Declared from microvm.nix's option data (options.json).";
      }
      // lib.optionalAttrs (node ? default) { inherit (node) default; }
      // lib.optionalAttrs (computedDefaults ? ${key}) { default = computedDefaults.${key}; }
    );

  declarations =
    computedDefaults: prefix: tree:
    builtins.mapAttrs (
      name: node:
      let
        path = prefix ++ [ name ];
      in
      if isDeclaration node then
        declare computedDefaults (lib.concatStringsSep "." path) node
      else
        declarations computedDefaults path node
    ) tree;
in
{
  inherit typeOf;
  # declarations { "machineId" = ...; } data.microvm_guest_options
  declarations = computedDefaults: declarations computedDefaults [ ];
}
