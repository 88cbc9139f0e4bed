# Option types of nixpkgs' lib.types, written for the stand-in: the same names,
# descriptions, checks and merge behaviour on the points fleetc relies on
# (lines concatenate with "\n", lists concatenate, attrsOf and submodules merge
# per attribute, scalars must agree). As in nixpkgs, a type has `nestedTypes`
# (e.g. listOf's `elemType`) and `getSubOptions prefix` (the options declared
# inside it: a submodule's, through listOf/attrsOf/nullOr; `{ }` otherwise),
# which modules use to test whether an option exists inside a submodule.
# Left out: type merging for documentation, freeform submodules,
# functor/typeMerge, and most specialised types.
{ lib }:
let
  inherit (builtins)
    all
    concatLists
    elem
    filter
    head
    isAttrs
    isBool
    isFunction
    isInt
    isList
    isPath
    isString
    length
    mapAttrs
    match
    ;
  inherit (lib.options)
    mergeDefaultOption
    mergeEqualOption
    mergeOneOption
    showFiles
    showOption
    getFiles
    getValues
    ;
  mergeDefinitions = loc: type: defs: lib.modules.mergeDefinitions loc type defs;
  perAttribute = defs: lib.modules.byAttribute defs;
  isModule = x: isAttrs x || isFunction x || isPath x;
in
rec {
  mkOptionType =
    {
      name,
      description ? name,
      check ? (_: true),
      merge ? mergeDefaultOption,
      getSubOptions ? (prefix: { }),
      nestedTypes ? { },
      ...
    }@attrs:
    attrs
    // {
      _type = "option-type";
      inherit
        name
        description
        check
        merge
        getSubOptions
        nestedTypes
        ;
    };
  isType = name: type: (type._type or null) == "option-type" && type.name == name;

  unspecified = mkOptionType {
    name = "unspecified";
    description = "unspecified value";
  };
  raw = mkOptionType {
    name = "raw";
    description = "raw value";
    merge = mergeOneOption;
  };
  bool = mkOptionType {
    name = "bool";
    description = "boolean";
    check = isBool;
    merge = mergeEqualOption;
  };
  int = mkOptionType {
    name = "int";
    description = "signed integer";
    check = isInt;
    merge = mergeEqualOption;
  };
  ints = {
    between =
      lowest: highest:
      int
      // {
        name = "intBetween";
        description = "integer between ${toString lowest} and ${toString highest} (both inclusive)";
        check = x: isInt x && x >= lowest && x <= highest;
      };
    positive = int // {
      name = "positiveInt";
      description = "positive integer, meaning >0";
      check = x: isInt x && x > 0;
    };
    unsigned = int // {
      name = "unsignedInt";
      description = "unsigned integer, meaning >=0";
      check = x: isInt x && x >= 0;
    };
    u16 = int // {
      name = "unsignedInt16";
      description = "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
      check = x: isInt x && x >= 0 && x <= 65535;
    };
  };
  positiveInt = ints.positive;
  port = ints.u16;
  str = mkOptionType {
    name = "str";
    description = "string";
    check = isString;
    merge = mergeEqualOption;
  };
  nonEmptyStr = str // {
    name = "nonEmptyStr";
    description = "non-empty string";
    check = x: isString x && match "[ \t\n]*" x == null;
  };
  strMatching =
    pattern:
    str
    // {
      name = "strMatching ${builtins.toJSON pattern}";
      description = "string matching the pattern ${pattern}";
      check = x: isString x && match pattern x != null;
    };
  separatedString =
    sep:
    mkOptionType {
      name = "separatedString";
      description =
        if sep == "" then "Concatenated string" else "strings concatenated with ${builtins.toJSON sep}";
      check = isString;
      merge = _: defs: lib.concatStringsSep sep (getValues defs);
    };
  lines = separatedString "\n";
  commas = separatedString ",";
  envVar = separatedString ":";
  path = mkOptionType {
    name = "path";
    description = "path";
    check = x: lib.isStringLike x && builtins.substring 0 1 (toString x) == "/";
    merge = mergeEqualOption;
  };
  package = mkOptionType {
    name = "package";
    description = "package";
    check = x: lib.isDerivation x || lib.isStorePath x;
    merge = mergeOneOption;
  };
  attrs = mkOptionType {
    name = "attrs";
    description = "attribute set";
    check = isAttrs;
    merge = _: defs: builtins.foldl' (merged: def: merged // def.value) { } defs;
  };
  enum =
    values:
    mkOptionType {
      name = "enum";
      description = "one of ${lib.concatMapStringsSep ", " builtins.toJSON values}";
      check = x: elem x values;
      merge = mergeEqualOption;
      inherit values;
    };

  listOf =
    elemType:
    mkOptionType {
      name = "listOf";
      description = "list of ${elemType.description}";
      check = isList;
      merge =
        loc: defs:
        let
          entries = concatLists (lib.imap1 (mergeListDefinition loc elemType) defs);
        in
        map (entry: entry.value) (filter (entry: entry ? value) entries);
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
      nestedTypes.elemType = elemType;
      inherit elemType;
    };
  # Each entry is merged on its own, so `mkIf false` entries drop out.
  mergeListDefinition =
    loc: elemType: n: def:
    lib.imap1 (
      m: value:
      let
        entryLoc = loc ++ [ "[definition ${toString n}-entry ${toString m}]" ];
      in
      (mergeDefinitions entryLoc elemType [ (lib.modules.withFile def.file value) ]).optionalValue
    ) def.value;

  attrsOf =
    elemType:
    mkOptionType {
      name = "attrsOf";
      description = "attribute set of ${elemType.description}";
      check = isAttrs;
      merge =
        loc: defs:
        let
          merged = mapAttrs (name: named: (mergeDefinitions (loc ++ [ name ]) elemType named).optionalValue) (perAttribute defs);
        in
        mapAttrs (_: entry: entry.value) (lib.filterAttrs (_: entry: entry ? value) merged);
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<name>" ]);
      nestedTypes.elemType = elemType;
      inherit elemType;
    };
  # Like attrsOf, but an attribute whose definitions are all `mkIf false` stays
  # present and fails only when read; module arguments rely on that laziness.
  lazyAttrsOf =
    elemType:
    attrsOf elemType
    // {
      name = "lazyAttrsOf";
      description = "lazy attribute set of ${elemType.description}";
      merge =
        loc: defs:
        mapAttrs (name: named: (mergeDefinitions (loc ++ [ name ]) elemType named).value) (perAttribute defs);
    };

  nullOr =
    elemType:
    mkOptionType {
      name = "nullOr";
      description = "null or ${elemType.description}";
      check = x: x == null || elemType.check x;
      merge =
        loc: defs:
        let
          nulls = filter (def: def.value == null) defs;
        in
        if nulls == [ ] then
          elemType.merge loc defs
        else if length nulls == length defs then
          null
        else
          throw "The option `${showOption loc}' is defined both null and not null, in ${showFiles (getFiles defs)}.";
      getSubOptions = elemType.getSubOptions;
      nestedTypes.elemType = elemType;
      inherit elemType;
    };
  either =
    left: right:
    mkOptionType {
      name = "either";
      description = "${left.description} or ${right.description}";
      check = x: left.check x || right.check x;
      merge =
        loc: defs:
        if all (def: left.check def.value) defs then
          left.merge loc defs
        else if all (def: right.check def.value) defs then
          right.merge loc defs
        else
          mergeOneOption loc defs;
      nestedTypes = { inherit left right; };
    };
  oneOf = types: builtins.foldl' either (head types) (builtins.tail types);
  uniq = elemType: elemType // { merge = mergeOneOption; };

  anything = mkOptionType {
    name = "anything";
    description = "anything";
    merge = mergeAnything;
  };
  # Attribute sets merge recursively; everything else must agree, as in nixpkgs.
  mergeAnything =
    loc: defs:
    let
      kindOf = value: if isAttrs value && lib.isStringLike value then "stringCoercibleSet" else builtins.typeOf value;
      kinds = lib.unique (map (def: kindOf def.value) defs);
      kind = head kinds;
    in
    if length kinds > 1 then
      throw "The option `${showOption loc}' has conflicting option types in ${showFiles (getFiles defs)}"
    else if kind == "set" then
      (attrsOf anything).merge loc defs
    else if kind == "lambda" then
      arg: mergeAnything (loc ++ [ "<function body>" ]) (map (def: def // { value = def.value arg; }) defs)
    else if kind == "stringCoercibleSet" then
      mergeOneOption loc defs
    else
      mergeEqualOption loc defs;

  submoduleWith =
    {
      modules,
      specialArgs ? { },
      shorthandOnlyDefinesConfig ? false,
    }:
    let
      # As nixpkgs: with the shorthand, an attribute-set definition is only
      # configuration, so `{ config = ...; pkgs = ...; }` sets the options
      # `config` and `pkgs` (microvm.vms.<name>.config); functions stay modules.
      asModule =
        def:
        if shorthandOnlyDefinesConfig && builtins.isAttrs def.value then
          {
            _file = def.file;
            config = def.value;
          }
        else
          definitionModule def;
    in
    mkOptionType {
      name = "submodule";
      description = "submodule";
      check = isModule;
      merge = loc: defs: (lib.evalModules {
        inherit specialArgs;
        prefix = loc;
        modules = modules ++ [ { _module.args.name = lib.mkOptionDefault (lib.last loc); } ] ++ map asModule defs;
      }).config;
      # The submodule's declarations, evaluated without definitions.
      getSubOptions =
        prefix:
        (lib.evalModules {
          inherit specialArgs prefix;
          modules = modules ++ [ { _module.args.name = lib.mkOptionDefault "‹name›"; } ];
        }).options;
      inherit modules specialArgs;
    };
  submodule =
    module:
    submoduleWith {
      modules = lib.toList module;
      shorthandOnlyDefinesConfig = true;
    };
  # A definition of a submodule-typed option is itself a module.
  definitionModule = def: {
    _file = def.file;
    imports = [ def.value ];
  };
  deferredModule = mkOptionType {
    name = "deferredModule";
    description = "module";
    check = isModule;
    merge = _: defs: { imports = map definitionModule defs; };
  };
}
