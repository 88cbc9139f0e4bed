# The module system of the stand-in, written from scratch after the behaviour of
# nixpkgs' lib/modules.nix: imports (paths deduplicated), function and
# attribute-set modules, the shorthand without `options`/`config`, module
# arguments (config, options, lib, specialArgs, _module.args), properties
# (mkIf, mkMerge, priorities, mkOrder: properties.nix), undeclared-option and type
# errors naming the option and the defining file.
# Left out: disabledModules, freeform types, option renames/aliases,
# `meta`, `extendModules`, and documentation rendering.
{ lib }:
let
  inherit (builtins)
    attrNames
    concatMap
    filter
    functionArgs
    genericClosure
    head
    isAttrs
    isFunction
    isPath
    isString
    length
    mapAttrs
    removeAttrs
    zipAttrsWith
    ;
  inherit (lib.options)
    isOption
    showDefs
    showOption
    ;
  inherit (lib.properties)
    dischargeProperties
    filterOverrides
    mkOptionDefault
    pushDownProperties
    sortProperties
    ;
in
rec {
  evalModules =
    {
      modules,
      specialArgs ? { },
      prefix ? [ ],
    }:
    let
      args = {
        inherit lib config options specialArgs;
      } // specialArgs;
      collected = collectModules args ([ internalModule ] ++ modules);
      declarations = mergeDeclarations prefix (map (m: { inherit (m) file; value = m.options; }) collected);
      merged = mergeNode prefix declarations (map (m: { inherit (m) file; value = m.config; }) collected);
      config = merged.value;
      options = merged.option;
      checked =
        if merged.unmatched == [ ] then
          removeAttrs config [ "_module" ]
        else
          throw (undeclaredMessage (head merged.unmatched));
    in
    {
      _type = "configuration";
      config = checked;
      inherit options;
    };

  # Declares `_module.args`, through which modules receive e.g. `pkgs` and `name`.
  internalModule = {
    _file = "<stand-in lib/modules.nix>";
    key = "<stand-in lib/modules.nix>";
    options._module.args = lib.mkOption {
      type = lib.types.lazyAttrsOf lib.types.raw;
      default = { };
      internal = true;
    };
  };

  undeclaredMessage =
    { loc, defs }: "The option `${showOption loc}' does not exist. Definition values:${showDefs defs}";

  # ---- collecting modules ----------------------------------------------------

  collectModules =
    args: modules:
    let
      top = {
        key = "<top>";
        file = "<unknown-file>";
      };
      closure = genericClosure {
        startSet = lib.imap1 (moduleItem args top) modules;
        operator = item: lib.imap1 (moduleItem args item.module) item.module.imports;
      };
    in
    map (item: item.module) closure;

  # Files are identified by their path, so importing one twice includes it once.
  moduleItem =
    args: parent: index: module:
    let
      isFile = isPath module || isString module;
      loaded = if isFile then import module else module;
      file = if isFile then toString module else parent.file;
      value =
        if isFunction loaded then
          applyModule args file loaded
        else if isFile then
          loaded
        else
          checkModuleValue file loaded;
      key = if isFile then toString module else value.key or "${parent.key}:anon-${toString index}";
    in
    {
      inherit key;
      module = normalizeModule file key value;
    };

  # As in nixpkgs: mkIf/mkOverride may stand for a module given as a value;
  # other typed values (a configuration, a derivation, mkMerge) may not.
  checkModuleValue =
    file: m:
    let
      kind = if isAttrs m then m._type or "module" else "module";
    in
    if kind == "module" then
      m
    else if kind == "if" || kind == "override" then
      { config = m; }
    else
      throw "Could not load a value as a module, because it is of type ${builtins.toJSON kind}, in file ${file}.";

  applyModule =
    args: file: f:
    let
      lookup =
        name:
        args.${name} or args.config._module.args.${name}
          or (throw "The module in `${file}' wants the argument `${name}', which no module provides.");
    in
    f (args // mapAttrs (name: _: lookup name) (functionArgs f));

  structuralAttributes = [
    "_file"
    "key"
    "imports"
    "options"
    "config"
    "meta"
    "disabledModules"
    "_class"
  ];

  normalizeModule =
    file: key: m:
    let
      file' = m._file or file;
      explicit = m ? options || m ? config;
      unsupported = attrNames (removeAttrs m structuralAttributes);
    in
    if !isAttrs m then
      throw "The module in `${file}' is a ${builtins.typeOf m}, not an attribute set or a function."
    else if explicit && unsupported != [ ] then
      throw "Module `${file'}' has an unsupported attribute `${head unsupported}'. This is caused by introducing a top-level `config' or `options' attribute. Add configuration attributes immediately on the top level instead, or move all of them into the explicit `config' attribute."
    else
      {
        file = file';
        inherit key;
        imports = m.imports or [ ];
        options = m.options or { };
        config = if explicit then m.config or { } else removeAttrs m structuralAttributes;
      };

  # ---- declarations ----------------------------------------------------------

  # Entries are { file; value = options tree }; the result is a tree whose leaves
  # are option declarations extended with `loc` and `declarations`.
  mergeDeclarations =
    loc: entries:
    mapAttrs (name: declarationAt (loc ++ [ name ])) (
      byAttribute (map (entry: entry // { value = treeOf loc entry; }) entries)
    );

  # [ { file; value = { a = 1; }; } ... ] -> { a = [ { file; value = 1; } ... ]; }
  byAttribute =
    entries:
    zipAttrsWith (_: named: named) (
      map (entry: mapAttrs (_: withFile entry.file) entry.value) entries
    );
  withFile = file: value: { inherit file value; };

  treeOf =
    loc: entry:
    if isAttrs entry.value then
      entry.value
    else
      throw "The option declarations at `${showOption loc}' in `${entry.file}' are not an attribute set.";

  declarationAt =
    loc: named:
    let
      leaves = filter (entry: isOption entry.value) named;
    in
    if leaves == [ ] then
      mergeDeclarations loc named
    else if length leaves != length named then
      throw "The option `${showOption loc}' in `${(head leaves).file}' is a prefix of options in `${(head (filter (e: !isOption e.value) named)).file}'."
    else
      mergeLeafDeclarations loc leaves;

  # Only submodule options may be declared twice; their modules are combined.
  mergeLeafDeclarations =
    loc: leaves:
    let
      first = head leaves;
      files = map (entry: entry.file) leaves;
      typeOf = entry: entry.value.type or lib.types.unspecified;
      allSubmodules = builtins.all (entry: lib.types.isType "submodule" (typeOf entry)) leaves;
      type =
        if length leaves == 1 then
          typeOf first
        else if allSubmodules then
          lib.types.submoduleWith { modules = concatMap (entry: (typeOf entry).modules) leaves; }
        else
          throw "The option `${showOption loc}' in `${(lib.elemAt leaves 1).file}' is already declared in `${first.file}'.";
    in
    first.value
    // {
      inherit loc type;
      declarations = files;
    };

  # ---- definitions -----------------------------------------------------------

  # Returns { value; option; unmatched } for one inner node of the option tree.
  mergeNode =
    loc: declarations: defs:
    let
      pushed = concatMap (
        def: map (withFile def.file) (pushDownProperties loc def.file def.value)
      ) defs;
      byName = byAttribute pushed;
      mergeChild =
        name: declaration:
        (if isOption declaration then mergeOption else mergeNode) (loc ++ [ name ]) declaration (
          byName.${name} or [ ]
        );
      children = mapAttrs mergeChild declarations;
      undeclared = attrNames (removeAttrs byName (attrNames declarations));
    in
    {
      value = mapAttrs (_: child: child.value) children;
      # Nodes and leaves both answer `option`: the subtree or the declaration.
      option = mapAttrs (_: child: child.option) children;
      unmatched =
        map (name: {
          loc = loc ++ [ name ];
          defs = byName.${name};
        }) undeclared
        ++ concatMap (name: children.${name}.unmatched) (attrNames declarations);
    };

  mergeOption =
    loc: declaration: defs:
    let
      defaults = lib.optional (declaration ? default) {
        file = head declaration.declarations;
        value = mkOptionDefault declaration.default;
      };
      merged = mergeDefinitions loc declaration.type (defaults ++ defs);
      value = (declaration.apply or (x: x)) merged.value;
    in
    {
      inherit value;
      unmatched = [ ];
      option = declaration // {
        inherit value;
        inherit (merged) isDefined highestPrio;
        definitions = map (def: def.value) merged.defsFinal;
        files = map (def: def.file) defs;
      };
    };

  # Processes the properties of one option's definitions, checks and merges them.
  mergeDefinitions =
    loc: type: defs:
    let
      discharged = concatMap (def: map (withFile def.file) (dischargeProperties def)) defs;
      overridden = filterOverrides discharged;
      defsFinal = sortProperties overridden.values;
      isDefined = defsFinal != [ ];
      invalid = filter (def: !type.check def.value) defsFinal;
      mergedValue =
        if invalid == [ ] then
          type.merge loc defsFinal
        else
          throw "A definition for option `${showOption loc}' is not of type `${type.description}'. Definition values:${showDefs invalid}";
    in
    {
      inherit defsFinal isDefined mergedValue;
      inherit (overridden) highestPrio;
      optionalValue = if isDefined then { value = mergedValue; } else { };
      value =
        if isDefined then
          mergedValue
        else
          throw "The option `${showOption loc}' was accessed but has no value defined. Try setting the option.";
    };
}
