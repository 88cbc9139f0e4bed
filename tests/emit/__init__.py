"""The emitter and its quoting, read back by real Nix and systemd."""
