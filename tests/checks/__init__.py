"""The whole-fleet checks."""
