# Attribute-set helpers of nixpkgs' lib.attrsets, written for the stand-in.
{ lib }:
let
  inherit (builtins)
    attrNames
    filter
    foldl'
    head
    isAttrs
    listToAttrs
    mapAttrs
    tail
    ;
in
rec {
  inherit (builtins)
    attrNames
    attrValues
    catAttrs
    getAttr
    hasAttr
    intersectAttrs
    listToAttrs
    mapAttrs
    removeAttrs
    zipAttrsWith
    ;
  nameValuePair = name: value: { inherit name value; };
  mapAttrs' = f: set: listToAttrs (mapAttrsToList f set);
  mapAttrsToList = f: set: map (name: f name set.${name}) (attrNames set);
  concatMapAttrs = f: set: foldl' (acc: attrs: acc // attrs) { } (mapAttrsToList f set);
  filterAttrs =
    pred: set:
    removeAttrs set (filter (name: !(pred name set.${name})) (attrNames set));
  genAttrs = names: f: listToAttrs (map (name: nameValuePair name (f name)) names);
  optionalAttrs = condition: set: if condition then set else { };
  zipAttrs = zipAttrsWith (_: values: values);
  mergeAttrs = a: b: a // b;
  recursiveUpdate =
    lhs: rhs:
    lhs
    // mapAttrs (
      name: value:
      if isAttrs value && isAttrs (lhs.${name} or null) && !isDerivation value then
        recursiveUpdate lhs.${name} value
      else
        value
    ) rhs;
  attrByPath =
    path: default: set:
    if path == [ ] then
      set
    else if isAttrs set && set ? ${head path} then
      attrByPath (tail path) default set.${head path}
    else
      default;
  hasAttrByPath =
    path: set:
    path == [ ] || (isAttrs set && set ? ${head path} && hasAttrByPath (tail path) set.${head path});
  getAttrFromPath =
    path: set:
    let
      missing = throw "cannot find attribute `${lib.concatStringsSep "." path}'";
    in
    attrByPath path missing set;
  setAttrByPath =
    path: value:
    if path == [ ] then value else { ${head path} = setAttrByPath (tail path) value; };
  collect =
    pred: value:
    if pred value then
      [ value ]
    else if isAttrs value then
      builtins.concatMap (collect pred) (builtins.attrValues value)
    else
      [ ];
  mapAttrsRecursive =
    f: set:
    let
      recurse =
        path:
        mapAttrs (
          name: value:
          if isAttrs value && !isDerivation value then
            recurse (path ++ [ name ]) value
          else
            f (path ++ [ name ]) value
        );
    in
    recurse [ ] set;
  isDerivation = value: isAttrs value && (value.type or null) == "derivation";
}
