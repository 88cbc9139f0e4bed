"""The command line: exit codes, output formats, files, help and explain."""
