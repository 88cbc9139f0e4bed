# A very small `pkgs`: nothing here compiles software. It offers what the
# stand-in modules (and simple generated code) need, and one builder,
# `standIn.recordTree`, that makes real store paths offline.
{ lib, system }:
{
  inherit lib system;
  stdenv.hostPlatform = { inherit system; };
  stdenv.buildPlatform = { inherit system; };
  # Real writeText is a derivation; a source file in the store is enough here.
  writeText = name: text: builtins.toFile name text;

  standIn = {
    # A directory symlinking the contents of `paths` (directories), plus
    # `manifest.nix`, which holds `manifest` as a Nix expression. Nix's
    # builtin:buildenv builder does the work, so it builds without a shell,
    # with or without the sandbox, as root in single-user mode.
    # `inputs` are built first without being linked, standing in for store
    # paths that real outputs mention from scripts.
    recordTree =
      {
        name,
        manifest,
        paths ? [ ],
        inputs ? [ ],
      }:
      derivation {
        inherit name system;
        builder = "builtin:buildenv";
        manifest = builtins.toFile "${name}-manifest.nix" (lib.toPretty { } manifest);
        derivations = builtins.concatMap (path: [
          "true"
          "5"
          "1"
          path
        ]) paths;
        standInInputs = inputs;
        preferLocalBuild = true;
        allowSubstitutes = false;
      };
  };
}
