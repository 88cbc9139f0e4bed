# List helpers of nixpkgs' lib.lists, written for the stand-in.
{ lib }:
let
  inherit (builtins)
    elem
    elemAt
    filter
    genList
    head
    length
    ;
in
rec {
  inherit (builtins)
    all
    any
    concatLists
    concatMap
    elem
    elemAt
    filter
    foldl'
    genList
    head
    length
    map
    partition
    sort
    tail
    ;
  foldr =
    op: nul: list:
    builtins.foldl' (acc: x: op x acc) nul (reverseList list);
  foldl = builtins.foldl';
  last = list: elemAt list (length list - 1);
  init = list: genList (elemAt list) (length list - 1);
  reverseList =
    list:
    let
      n = length list;
    in
    genList (i: elemAt list (n - i - 1)) n;
  imap0 = f: list: genList (i: f i (elemAt list i)) (length list);
  imap1 = f: list: genList (i: f (i + 1) (elemAt list i)) (length list);
  optional = condition: x: if condition then [ x ] else [ ];
  optionals = condition: list: if condition then list else [ ];
  toList = x: if builtins.isList x then x else [ x ];
  flatten = x: if builtins.isList x then builtins.concatMap flatten x else [ x ];
  range = first: last: if first > last then [ ] else genList (i: first + i) (last - first + 1);
  count = pred: list: length (filter pred list);
  remove = x: filter (y: y != x);
  take = n: list: genList (elemAt list) (lib.min n (length list));
  drop = n: list: genList (i: elemAt list (i + n)) (lib.max 0 (length list - n));
  findFirst =
    pred: default: list:
    let
      found = filter pred list;
    in
    if found == [ ] then default else head found;
  # Keeps the first occurrence; fine for the short lists tests use.
  unique = builtins.foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
  subtractLists = remove: filter (x: !(elem x remove));
  zipListsWith =
    f: a: b:
    genList (i: f (elemAt a i) (elemAt b i)) (lib.min (length a) (length b));
}
