# Small combinators and predicates of nixpkgs' lib.trivial, written for the stand-in.
{ lib }:
{
  id = x: x;
  const = x: _: x;
  flip = f: a: b: f b a;
  pipe = builtins.foldl' (x: f: f x);
  fix =
    f:
    let
      x = f x;
    in
    x;
  or = a: b: a || b;
  and = a: b: a && b;
  min = a: b: if a < b then a else b;
  max = a: b: if a > b then a else b;
  mod = a: b: a - b * (a / b);
  boolToString = b: if b then "true" else "false";
  importJSON = path: builtins.fromJSON (builtins.readFile path);
  warn = message: builtins.trace "warning: ${message}";
  warnIf = condition: message: if condition then lib.warn message else x: x;
  throwIf = condition: message: x: if condition then throw message else x;
  throwIfNot = condition: message: x: if condition then x else throw message;
  assertMsg = condition: message: condition || throw message;
  # The release the stand-in pretends to be; system.stateVersion defaults to it.
  release = "25.05";
  version = "25.05-stand-in";
  inNixShell = false;
  inherit (builtins)
    isAttrs
    isBool
    isFunction
    isInt
    isList
    isPath
    isString
    functionArgs
    typeOf
    ;
}
