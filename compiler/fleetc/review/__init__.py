"""Reviewing a fleet without writing it: `plan` and its rendering, `graph`,
and the check that a fleet's twin (fleet.toml beside fleet.fleet) agrees.

May import: core, frontend, lock, emit, output. Never: nixbuild
(tests/test_layers.py); cli only for reading files and reporting.
"""
