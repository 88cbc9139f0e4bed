"""`fleetc plan` and `fleetc graph`: review a change and the fleet's shape."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..compiled import EXIT_ERRORS, EXIT_OK, compile_fleet, diff_text
from ..files import usage_problem
from ...lock.lockfile import Lock, parse_lock
from ...review.plan import make_plan
from ...review.plan_render import plan_json, plan_text
from ...core.source import Source


def cmd_plan(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    result = compiled.result
    old, new = _lock(compiled.old_lock), _lock(result.lock_text)
    before = _reader(compiled.out_dir)
    plan = make_plan(result.fleet, old, new, before, result.files.get)
    if args.format == "json":
        args.report.note("plan", plan_json(plan))
    else:
        args.report.data("plan", plan_text(plan))
    would_change = plan.changes or bool(diff_text(compiled))
    args.report.note("would_change", would_change)
    return EXIT_ERRORS if args.detailed_exitcode and would_change else EXIT_OK


def _lock(text: str | None) -> Lock:
    """A lock compile_fleet already read without error (or none yet)."""
    return parse_lock(Source("fleet.lock", text))[0] if text else Lock()


def _reader(out_dir: Path):
    def read(relative: str) -> str | None:
        try:
            return (out_dir / relative).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # absent or unusable: no "before"
            return None

    return read


def cmd_graph(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    from ...review.graph import dot, mermaid

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
