# Every host and VM: a banner from the non-flake input, through the overlay.
# `fleetRoot` is the fleet file's directory whatever `self` is (with `dir=`,
# self is the generated directory only).
{
  pkgs,
  inputs,
  fleetRoot,
  ...
}:
{
  environment.etc."fleet-banner".text = pkgs.fleetBanner (
    builtins.readFile (inputs.branding + "/banner")
  );
  environment.etc."fleet-notice".text = builtins.readFile (fleetRoot + "/notice");
}
