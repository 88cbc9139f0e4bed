"""`fleetc schema`: the JSON Schema of fleet.toml, for editors."""

from __future__ import annotations

READS_FLEET = False
SUMMARY = "print the JSON Schema of fleet.toml (for editors)"
EXAMPLES = """\
  fleetc schema > fleet.schema.json
  then start fleet.toml with:  #:schema ./fleet.schema.json"""


def arguments(sub):
    description = "Print the JSON Schema of fleet.toml, for editor completion."
    return sub.add_parser("schema", help=SUMMARY, description=description)


def run(args) -> int:
    # The schema loads on use: --help and --version must not pay for it.
    from ...frontend.jsonschema import text
    from ..report import Report

    Report("text", "schema").data("schema", text())
    return 0
