# A very small `pkgs`: nothing here compiles software. It offers what the
# stand-in modules (and simple generated code) need, and one builder,
# `standIn.recordTree`, that makes real store paths offline. `overlays` are
# applied as nixpkgs applies them (final: prev: { ... }), in order.
{
  lib,
  system,
  overlays ? [ ],
}:
let
  base = final: {
    inherit lib system;
    stdenv.hostPlatform = { inherit system; };
    stdenv.buildPlatform = { inherit system; };
    # Real writeText is a derivation; a source file in the store is enough here.
    writeText = name: text: builtins.toFile name text;

    # nixpkgs' writeShellApplication (pkgs/build-support/trivial-builders): the
    # script is this preamble, then `text`. The real one also runs shellcheck
    # on it; here `script` stays readable so that tests can run shellcheck.
    writeShellApplication =
      {
        name,
        text,
        runtimeInputs ? [ ],
        ...
      }:
      let
        path = lib.concatMapStringsSep ":" (input: "${input}/bin") runtimeInputs;
        script =
          "#!${final.bash}/bin/bash\n"
          + "set -o errexit\nset -o nounset\nset -o pipefail\n\n"
          + lib.optionalString (runtimeInputs != [ ]) "export PATH=\"${path}:$PATH\"\n\n"
          + text;
      in
      {
        outPath = builtins.toFile name script;
        inherit name text script;
      };

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
  # Packages fleetc's output names. Each is a file naming itself: enough to
  # tell which package set (after which overlays) a value was taken from.
  // lib.genAttrs [
    "bash"
    "coreutils"
    "curl"
    "jq"
    "nix"
    "socat"
    "systemd"
    "virtiofsd"
    # microvm.nix's hypervisors, by their nixpkgs attribute names.
    "alioth"
    "cloud-hypervisor"
    "crosvm"
    "firecracker"
    "kvmtool"
    "qemu"
    "qemu_kvm"
    "stratovirt"
    "vfkit"
  ] (name: builtins.toFile name "stand-in for nixpkgs' ${name}\n");
  withOverlays = final: builtins.foldl' (prev: overlay: prev // overlay final prev) (base final) overlays;
in
lib.fix withOverlays
