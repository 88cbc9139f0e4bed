# Applied to every host and VM (nixpkgs.overlays).
final: prev: {
  fleetBanner = text: "=== ${text} ===\n";
}
