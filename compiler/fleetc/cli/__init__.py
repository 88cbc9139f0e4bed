"""The command line: argument parsing and dispatch (main), what a run tells
its user (report), file-system problems as diagnostics (files), reading
the repository's files (reading: regular files inside it, bounded), shell
completion, and `commands/`, one module per command.

May import everything; nothing inside the compiler imports it, except the
review package's use of `files` and `report` (tests/test_layers.py).
"""
