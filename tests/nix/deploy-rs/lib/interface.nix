# The rules of deploy-rs's interface.json (d5eff7f), which its deploy-schema
# check applies to the JSON of `deploy` with check-jsonschema, written in Nix:
# `checkInterface deploy` is the JSON's value, or throws at the first rule
# broken. As in JSON Schema, a `patternProperties` pattern is unanchored and
# only the `nodes` and `profiles` objects forbid other names; typed settings
# are checked where present, other keys of a node or profile are allowed.
{ lib }:
let
  inherit (builtins)
    all
    attrNames
    fromJSON
    isBool
    isInt
    isList
    isString
    match
    toJSON
    ;
  # interface.json's generic_settings: name -> type test.
  generic = {
    sshUser = isString;
    user = isString;
    sshOpts = value: isList value && all isString value;
    fastConnection = isBool;
    autoRollback = isBool;
    magicRollback = isBool;
    confirmTimeout = isInt;
    activationTimeout = isInt;
    tempPath = isString;
    interactiveSudo = isBool;
  };
  nodeSettings = generic // {
    hostname = isString;
    profilesOrder = value: isList value && all isString value;
    profiles = builtins.isAttrs;
  };
  profileSettings = generic // {
    path = isString;
    profilePath = isString;
  };
  # "[A-z][A-z0-9_-]*", unanchored as JSON Schema reads it.
  namePattern = name: match ".*[A-z][A-z0-9_-]*.*" name != null;
  fail = where: why: throw "deploy-schema: ${where}: ${why}";
  typed =
    where: settings: value:
    all (
      name:
      !(settings ? ${name}) || settings.${name} value.${name} || fail "${where}.${name}" "wrong type"
    ) (attrNames value);
  required =
    where: names: value:
    all (name: value ? ${name} || fail where "`${name}` is required") names;
  named =
    where: set:
    all (name: namePattern name || fail "${where}.${name}" "name does not match [A-z][A-z0-9_-]*") (
      attrNames set
    );
  profile =
    where: value: typed where profileSettings value && required where [ "path" ] value;
  node =
    where: value:
    typed where nodeSettings value
    && required where [ "hostname" ] value
    && named "${where}.profiles" (value.profiles or { })
    && all (name: profile "${where}.profiles.${name}" value.profiles.${name}) (
      attrNames (value.profiles or { })
    );
  check =
    deploy:
    typed "deploy" generic deploy
    && named "deploy.nodes" (deploy.nodes or { })
    && all (name: node "deploy.nodes.${name}" deploy.nodes.${name}) (attrNames (deploy.nodes or { }));
in
deploy:
let
  # The JSON check-jsonschema reads; its store paths are only text here.
  json = fromJSON (builtins.unsafeDiscardStringContext (toJSON deploy));
in
assert check json;
json
