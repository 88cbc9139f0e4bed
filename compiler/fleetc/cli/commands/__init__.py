"""One module per command, each owning its arguments, examples and `run`."""
