# Value printers. `toPretty` writes a value as a Nix expression that
# nix-instantiate can read back; the stand-in's system and runner outputs use it
# to record their configuration. String context is dropped: these files are
# descriptions, not dependencies.
{ lib }:
let
  inherit (builtins)
    attrNames
    concatStringsSep
    replaceStrings
    typeOf
    unsafeDiscardStringContext
    ;
in
rec {
  escapeNixString =
    s:
    "\"${
      replaceStrings [ "\\" "\"" "\${" "\n" "\r" "\t" ] [ "\\\\" "\\\"" "\\\${" "\\n" "\\r" "\\t" ] (
        unsafeDiscardStringContext s
      )
    }\"";
  toPretty =
    { }:
    value:
    let
      type = typeOf value;
    in
    if type == "string" then
      escapeNixString value
    else if type == "path" then
      escapeNixString (toString value)
    else if type == "int" || type == "float" then
      toString value
    else if type == "bool" then
      lib.boolToString value
    else if type == "null" then
      "null"
    else if type == "lambda" then
      escapeNixString "<function>"
    else if type == "list" then
      "[ ${concatStringsSep " " (map (toPretty { }) value)} ]"
    else if lib.isStringLike value then
      escapeNixString (toString value)
    else
      "{ ${lib.concatMapStrings (name: "${escapeNixString name} = ${toPretty { } value.${name}}; ") (attrNames value)}}";
}
