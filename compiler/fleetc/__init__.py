"""fleetc: compile a MicroVM fleet description into a checked Nix flake tree."""

__version__ = "0.3.2"
