# Functions tests apply to evaluated stand-in configurations. tests/support/nixeval.py
# pastes this expression into `--apply`/`--expr` text, so it needs no file
# access and works under pure flake evaluation.
let
  inherit (builtins)
    any
    attrNames
    concatLists
    concatMap
    elemAt
    genList
    isAttrs
    isList
    length
    stringLength
    substring
    ;
  property = value: if isAttrs value then value._type or null else null;
  isOption = value: property value == "option";
  isDerivation = value: isAttrs value && (value.type or null) == "derivation";
  hasSuffix =
    suffix: s:
    let
      start = stringLength s - stringLength suffix;
    in
    start >= 0 && substring start (stringLength suffix) s == suffix;

  # A value as JSON can carry it: derivations by name, string-like sets
  # (flakes) by path, functions by a marker.
  plain =
    value:
    if isDerivation value then
      "<derivation ${value.name}>"
    else if builtins.isFunction value then
      "<function>"
    else if builtins.isPath value then
      toString value
    else if isList value then
      map plain value
    else if isAttrs value && (value ? outPath || value ? __toString) then
      toString value
    else if isAttrs value then
      builtins.mapAttrs (_: plain) value
    else
      value;

  # Reads from the merged `value` exactly the parts `definition` wrote. Each
  # read goes through the option's type check, including options inside
  # submodules, while options nobody set are left alone.
  written =
    definition: value:
    let
      kind = property definition;
    in
    if kind == "if" then
      (if definition.condition then written definition.content value else null)
    else if kind == "override" || kind == "order" then
      written definition.content value
    else if kind == "merge" then
      map (content: written content value) definition.contents
    else if isList definition && isList value && length definition == length value then
      genList (i: written (elemAt definition i) (elemAt value i)) (length value)
    else if isAttrs definition && !isDerivation definition && isAttrs value && !(value ? outPath) then
      builtins.mapAttrs (name: part: written part value.${name}) (
        builtins.intersectAttrs value definition
      )
    else
      plain value;

  writtenOption =
    option:
    if option.definitions != [ ] && builtins.all isList option.definitions then
      written (concatLists option.definitions) option.value
    else
      map (definition: written definition option.value) option.definitions;

  definedIn =
    fileSuffix: path: node:
    if isOption node then
      if any (hasSuffix fileSuffix) (map toString node.files) then
        [
          {
            path = builtins.concatStringsSep "." path;
            value = writtenOption node;
          }
        ]
      else
        [ ]
    else if isAttrs node then
      concatMap (name: definedIn fileSuffix (path ++ [ name ]) node.${name}) (attrNames node)
    else
      [ ];
in
{
  inherit plain written;
  # [ { path = "microvm.vcpu"; value = 2; } ... ] for every option under
  # `options` (an options tree, e.g. `config.options.microvm`, named by
  # `prefix`) that a file ending in `fileSuffix` defines.
  definedIn =
    fileSuffix: prefix: options:
    definedIn fileSuffix prefix options;
}
