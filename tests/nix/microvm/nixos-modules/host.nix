# Stand-in for microvm.nix's host module (nixos-modules/host): the host
# options from options.json, the assertions on declarative VMs, and, like the
# real install-microvm-<name> services, a dependency of the host's toplevel on
# each VM's declaredRunner, read from `flake.nixosConfigurations.<name>` (so
# a host only evaluates if the flake it names really has that VM).
# Fully declarative VMs (`config`) are evaluated as the real module does,
# with the host's system, the generation's guest module, a default hostName
# and `specialArgs` (through the nixpkgs stand-in's nixosSystem, its
# eval-config).
# Left out: systemd units, tmpfiles for shares, the `microvm` command.
# `import ./host.nix { data = ...; guest = ...; nixosSystem = ...; }` is the
# module of a generation's option data and guest module (see guest.nix);
# `evaluatedConfig` exists only where the data has it.
{
  data,
  # For fully declarative VMs (`config`) only: a module of the host alone
  # (tests/test_guards.py) needs neither.
  guest ? throw "microvm.nix stand-in: no guest module given for `config` VMs",
  nixosSystem ? throw "microvm.nix stand-in: no nixosSystem given for `config` VMs",
}:
{ config, lib, ... }:
let
  cfg = config.microvm;
  fromJSON = import ../lib/options-from-json.nix { inherit lib; };
  declarative =
    name: vm:
    nixosSystem {
      inherit (config.nixpkgs) system;
      inherit (vm) specialArgs;
      modules = [
        guest
        { networking.hostName = lib.mkDefault name; }
        vm.config
      ];
    };
  guestConfig =
    name: vm:
    if vm.flake != null then
      vm.flake.nixosConfigurations.${name}.config
    else if (vm.evaluatedConfig or null) != null then
      vm.evaluatedConfig.config
    else if vm.config != null then
      (declarative name vm).config
    else
      throw "microvm.vms.${name}: neither `flake`, `evaluatedConfig` nor `config`";
  runnerOf = name: (guestConfig name cfg.vms.${name}).microvm.declaredRunner;
  describe = name: vm: {
    inherit (vm) autostart restartIfChanged updateFlake;
    flake = if vm.flake == null then null else toString vm.flake;
    runner = "${runnerOf name}";
    shareSources = map (share: share.source) (guestConfig name vm).microvm.shares;
  };
  declarativeAssertions = name: vm: [
    {
      assertion = vm.config != null -> vm.flake == null;
      message = "vm ${name}: Fully-declarative VMs cannot also set a flake!";
    }
    {
      assertion = vm.config != null -> vm.updateFlake == null;
      message = "vm ${name}: Fully-declarative VMs cannot set a updateFlake!";
    }
  ];
in
{
  # microvm.vms defaults to { } (nixos-modules/host/options.nix); the data
  # lost that default, and a host that declares no VM (imperative deploys)
  # reads it.
  options.microvm = fromJSON.declarations { vms = { }; } data.microvm_host_options;
  config = lib.mkIf cfg.host.enable {
    assertions = lib.concatLists (lib.mapAttrsToList declarativeAssertions cfg.vms);
    # As the real host module does; the per-VM `autostart` feeds the list.
    microvm.autostart = builtins.filter (name: cfg.vms.${name}.autostart) (builtins.attrNames cfg.vms);
    standIn.buildInputs = map runnerOf (builtins.attrNames cfg.vms);
    standIn.manifest.microvm = {
      inherit (cfg) stateDir autostart;
      vms = lib.mapAttrs describe cfg.vms;
    };
  };
}
