# lib.fix, needed before lib exists.
f:
let
  x = f x;
in
x
