"""`fleetc graph`: hosts, VMs, networks and addresses, as a picture."""

from __future__ import annotations

import argparse
import shutil

from ..options import FORMATS, fleet_argument, format_in

READS_FLEET = True
SUMMARY = "draw hosts, VMs, networks and addresses (mermaid, dot or svg)"
EXAMPLES = """\
  fleetc graph fleet.toml                 a mermaid picture (renders in review)
  fleetc graph fleet.toml --format svg > fleet.svg   needs Graphviz's dot
  fleetc graph fleet.toml --format dot | dot -Tpng > fleet.png"""
GRAPH_FORMATS = ("mermaid", "dot", "svg")


class GraphFormat(argparse.Action):
    """graph's --format: a picture format, or a diagnostics format as elsewhere."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:
        if value in GRAPH_FORMATS:
            namespace.graph_format, namespace.format = value, "text"
        else:
            namespace.format = value


def arguments(sub):
    graph = sub.add_parser("graph", help=SUMMARY, description=SUMMARY)
    fleet_argument(graph)
    graph.add_argument(
        "--format",
        choices=GRAPH_FORMATS + FORMATS,
        default="text",
        action=GraphFormat,
        help="mermaid (default), dot, svg (needs Graphviz); json: the mermaid"
        " text in the JSON document",
    )
    format_in(graph)
    graph.set_defaults(graph_format="mermaid", out=None)
    return graph


def run(args) -> int:
    # The compiler loads on use: --help and --version must not pay for it.
    from ...review.graph import dot, mermaid
    from ..compiled import EXIT_OK, compile_fleet

    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    fleet = compiled.result.fleet
    if args.graph_format == "mermaid":
        args.report.data("graph", mermaid(fleet))
        return EXIT_OK
    if args.graph_format == "dot":
        args.report.data("graph", dot(fleet))
        return EXIT_OK
    return _svg(args, dot(fleet))


def _svg(args, source: str) -> int:
    """SVG through Graphviz's `dot`, which fleetc does not bundle."""
    import subprocess  # not loaded for every --help and --version

    from ..files import EXIT_OK, usage_problem

    program = shutil.which("dot")
    if program is None:
        message = (
            "`dot` (Graphviz) is not installed; install it (apt-get install"
            " graphviz) or use --format mermaid or dot"
        )
        return usage_problem(args.report, message)
    done = subprocess.run(
        [program, "-Tsvg"], input=source, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return usage_problem(args.report, f"dot failed: {done.stderr.strip()}")
    args.report.data("graph", done.stdout)
    return EXIT_OK
