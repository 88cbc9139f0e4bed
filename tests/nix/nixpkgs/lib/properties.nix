# Definition properties of the stand-in's module system, after nixpkgs'
# lib/modules.nix: mkIf, mkMerge, mkOverride priorities, mkOrder, and how
# definitions are pushed down, discharged, filtered by priority and sorted.
{ lib }:
let
  inherit (builtins)
    concatMap
    filter
    foldl'
    isAttrs
    isBool
    mapAttrs
    sort
    ;
  inherit (lib.options) showOption;
  propertyOf = value: if isAttrs value then value._type or null else null;
in
rec {
  defaultOverridePriority = 100;
  defaultOrderPriority = 1000;

  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };
  mkMerge = contents: {
    _type = "merge";
    inherit contents;
  };
  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkImageMediaOverride = mkOverride 60;
  mkForce = mkOverride 50;
  mkVMOverride = mkOverride 10;
  mkOrder = priority: content: {
    _type = "order";
    inherit priority content;
  };
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;

  # mkIf/mkMerge/mkOverride around an attribute set move onto its attributes,
  # so the names are known without evaluating any condition.
  pushDownProperties =
    loc: file: value:
    let
      property = propertyOf value;
    in
    if property == "merge" then
      concatMap (pushDownProperties loc file) value.contents
    else if property == "if" then
      map (mapAttrs (_: mkIf value.condition)) (pushDownProperties loc file value.content)
    else if property == "override" then
      map (mapAttrs (_: mkOverride value.priority)) (pushDownProperties loc file value.content)
    else if isAttrs value then
      [ value ]
    else
      throw "A definition for `${showOption loc}' in `${file}' is not an attribute set: ${lib.options.showValue value}";

  dischargeProperties =
    def:
    let
      expand =
        value:
        let
          property = propertyOf value;
        in
        if property == "merge" then
          concatMap expand value.contents
        else if property == "if" then
          if !isBool value.condition then
            throw "`mkIf' called with a non-Boolean condition, in `${def.file}'"
          else if value.condition then
            expand value.content
          else
            [ ]
        else
          [ value ];
    in
    expand def.value;

  # Keeps the definitions of the highest priority (lowest number).
  filterOverrides =
    defs:
    let
      priorityOf = def: if propertyOf def.value == "override" then def.value.priority else defaultOverridePriority;
      highestPrio = foldl' (best: def: lib.min best (priorityOf def)) 9999 defs;
      strip = def: if propertyOf def.value == "override" then def // { value = def.value.content; } else def;
    in
    {
      inherit highestPrio;
      values = map strip (filter (def: priorityOf def == highestPrio) defs);
    };

  # mkBefore/mkAfter order list and lines definitions; the sort is stable.
  sortProperties =
    defs:
    let
      strip =
        def:
        if propertyOf def.value == "order" then
          def
          // {
            value = def.value.content;
            inherit (def.value) priority;
          }
        else
          def;
      order = def: def.priority or defaultOrderPriority;
    in
    sort (a: b: order a < order b) (map strip defs);
}
