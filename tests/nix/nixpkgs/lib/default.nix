# Stand-in for nixpkgs' `lib`, written from scratch for fleetc's tests: a
# minimal but real module system plus the helpers generated code may call.
# `nixosSystem` is added by ../flake.nix, as in nixpkgs.
let
  lib = import ./fixed-point.nix (
    self:
    let
      call = file: import file { lib = self; };
      parts = {
        trivial = call ./trivial.nix;
        lists = call ./lists.nix;
        strings = call ./strings.nix;
        attrsets = call ./attrsets.nix;
        options = call ./options.nix;
        properties = call ./properties.nix;
        modules = call ./modules.nix;
        generators = call ./generators.nix;
        types = call ./types.nix;
      };
    in
    parts
    // parts.trivial
    // parts.lists
    // parts.strings
    // parts.attrsets
    // parts.options
    // parts.properties
    // parts.modules
    // {
      inherit (builtins)
        baseNameOf
        dirOf
        hashString
        readFile
        toString
        ;
      inherit (parts.generators) toPretty;
      mkOptionType = parts.types.mkOptionType;
    }
  );
in
lib
