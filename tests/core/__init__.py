"""The pure core: compile and its fast paths."""
