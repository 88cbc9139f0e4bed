# Option declarations and the generic merge functions of nixpkgs' lib.options,
# written for the stand-in. Error texts follow the real ones so that tests
# asserting on them would hold against real nixpkgs too.
{ lib }:
let
  inherit (builtins)
    attrNames
    concatStringsSep
    head
    isAttrs
    length
    map
    tail
    typeOf
    ;
in
rec {
  mkOption = attrs: attrs // { _type = "option"; };
  isOption = value: isAttrs value && (value._type or null) == "option";
  mkEnableOption =
    name:
    mkOption {
      type = lib.types.bool;
      default = false;
      description = "Whether to enable ${name}.";
    };
  mkPackageOption =
    pkgs: name:
    { default ? [ name ], ... }:
    mkOption {
      type = lib.types.package;
      default = lib.getAttrFromPath (lib.toList default) pkgs;
      description = "The ${name} package to use.";
    };
  literalExpression = text: {
    _type = "literalExpression";
    inherit text;
  };
  literalMD = text: {
    _type = "literalMD";
    inherit text;
  };
  mdDoc = text: text;

  # `environment.etc."machine-id".text`: quote only what is not an identifier.
  showOption = loc: concatStringsSep "." (map showOptionPart loc);
  showOptionPart =
    part:
    let
      plain = builtins.match "[a-zA-Z_][a-zA-Z0-9_'-]*|<.*>|\\[.*]|\\*" part != null;
    in
    if plain then part else builtins.toJSON part;
  showFiles = files: concatStringsSep " and " (map (file: "`${toString file}'") files);
  showDefs = defs: lib.concatMapStrings (def: "\n- In `${toString def.file}': ${showValue def.value}") defs;
  showValue =
    value:
    let
      type = typeOf value;
    in
    if type == "string" then
      builtins.toJSON value
    else if type == "int" || type == "float" || type == "path" then
      toString value
    else if type == "bool" then
      lib.boolToString value
    else if type == "null" then
      "null"
    else if type == "lambda" then
      "<function>"
    else if type == "list" then
      "[ ${lib.concatMapStringsSep " " showValue value} ]"
    else if lib.isDerivation value then
      "<derivation ${value.name or "?"}>"
    else if value ? _type then
      "<${value._type}>"
    else
      "{ ${lib.concatMapStrings (name: "${showOptionPart name} = ${showValue value.${name}}; ") (attrNames value)}}";

  getValues = map (def: def.value);
  getFiles = map (def: def.file);

  mergeEqualOption =
    loc: defs:
    let
      first = head defs;
      conflicting = builtins.filter (def: def.value != first.value) (tail defs);
    in
    if conflicting == [ ] then
      first.value
    else
      throw "The option `${showOption loc}' has conflicting definition values:${showDefs ([ first ] ++ conflicting)}";
  mergeOneOption =
    loc: defs:
    if length defs == 1 then
      (head defs).value
    else
      throw "The option `${showOption loc}' is defined multiple times while it's expected to be unique.\nDefinition values:${showDefs defs}";
  mergeUniqueOption = { message }: mergeOneOption;
  mergeDefaultOption =
    loc: defs:
    let
      values = getValues defs;
      allAre = predicate: builtins.all predicate values;
    in
    if length values == 1 then
      head values
    else if allAre builtins.isFunction then
      x: mergeDefaultOption loc (map (def: def // { value = def.value x; }) defs)
    else if allAre builtins.isList then
      builtins.concatLists values
    else if allAre isAttrs then
      builtins.foldl' (a: b: a // b) { } values
    else if allAre builtins.isBool then
      builtins.any (x: x) values
    else if allAre builtins.isString then
      lib.concatStrings values
    else if allAre builtins.isInt && allAre (x: x == head values) then
      head values
    else
      throw "Cannot merge definitions of `${showOption loc}'. Definition values:${showDefs defs}";
}
