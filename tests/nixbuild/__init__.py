"""`fleetc build`: staging and real Nix builds against the stand-ins."""
