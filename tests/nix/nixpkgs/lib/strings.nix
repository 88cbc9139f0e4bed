# String helpers of nixpkgs' lib.strings, written for the stand-in.
{ lib }:
let
  inherit (builtins)
    concatStringsSep
    filter
    isString
    stringLength
    substring
    ;
in
rec {
  inherit (builtins)
    concatStringsSep
    replaceStrings
    stringLength
    substring
    toJSON
    fromJSON
    ;
  concatStrings = concatStringsSep "";
  concatMapStrings = f: list: concatStrings (map f list);
  concatMapStringsSep =
    sep: f: list:
    concatStringsSep sep (map f list);
  concatLines = list: concatMapStrings (s: s + "\n") list;
  # Newer nixpkgs (and microvm.nix's system.nix) use the singular form.
  replaceString = from: to: builtins.replaceStrings [ from ] [ to ];
  optionalString = condition: s: if condition then s else "";
  hasPrefix = prefix: s: substring 0 (stringLength prefix) s == prefix;
  hasSuffix =
    suffix: s:
    let
      offset = stringLength s - stringLength suffix;
    in
    offset >= 0 && substring offset (stringLength suffix) s == suffix;
  removePrefix =
    prefix: s:
    if hasPrefix prefix s then substring (stringLength prefix) (stringLength s) s else s;
  removeSuffix =
    suffix: s:
    if hasSuffix suffix s then substring 0 (stringLength s - stringLength suffix) s else s;
  splitString =
    sep: s:
    filter isString (builtins.split (escapeRegex sep) s);
  escapeRegex = builtins.replaceStrings regexSpecials (map (c: "\\${c}") regexSpecials);
  regexSpecials = [
    "\\"
    "["
    "]"
    "{"
    "}"
    "("
    ")"
    "^"
    "$"
    "."
    "|"
    "*"
    "+"
    "?"
  ];
  lowerChars = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  toLower = builtins.replaceStrings upperChars lowerChars;
  toUpper = builtins.replaceStrings lowerChars upperChars;
  stringToCharacters = s: builtins.genList (i: substring i 1 s) (stringLength s);
  escapeShellArg = s: "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s)}'";
  escapeShellArgs = list: concatStringsSep " " (map escapeShellArg list);
  escapeNixString = s: builtins.toJSON s;
  isStringLike = x: isString x || builtins.isPath x || x ? outPath || x ? __toString;
  isStorePath =
    x:
    isStringLike x
    && (
      let
        s = toString x;
      in
      substring 0 1 s == "/" && dirOf s == builtins.storeDir
    );
  fixedWidthString =
    width: filler: s:
    let
      missing = width - stringLength s;
    in
    if missing <= 0 then s else concatStrings (builtins.genList (_: filler) missing) + s;
  toHexString =
    n:
    let
      digit = d: substring d 1 "0123456789abcdef";
    in
    if n < 16 then digit n else toHexString (n / 16) + digit (lib.mod n 16);
  versionAtLeast = a: b: builtins.compareVersions a b >= 0;
  versionOlder = a: b: builtins.compareVersions a b < 0;
}
