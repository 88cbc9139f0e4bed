"""The bench harness (bench/, `make bench`): that it runs and prints every row.
Speed itself is never asserted in tests."""
