"""`fleetc plan` and `fleetc graph`: review a change and the fleet's shape."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .commands import EXIT_ERRORS, EXIT_OK, compile_fleet, diff_text, flake_root_dir
from .files import usage_problem
from .lock import Lock, parse_lock
from .plan import make_plan
from .deploy_order import deploy_order
from .pinned import found_lock, inputs_json, inputs_text
from .plan_render import order_json, order_text, plan_json, plan_text
from .source import Source, display_path


def cmd_plan(args) -> int:
    compiled = compile_fleet(args)
    if isinstance(compiled, int):
        return compiled
    result = compiled.result
    old, new = _lock(compiled.old_lock), _lock(result.lock_text)
    before = _reader(compiled.out_dir)
    plan = make_plan(result.fleet, old, new, before, result.files.get)
    out = here(compiled.out_dir) if args.out else None
    fleet_file = display_path(args.fleet)
    order = deploy_order(result.fleet, fleet_file, flake_dir(args, compiled), out)
    pins = found_lock(result.fleet, compiled.out_dir, flake_root_dir(args))
    if args.format == "json":
        more = {"inputs": inputs_json(result.fleet, pins)}
        more["deploy_order"] = order_json(order)
        args.report.note("plan", plan_json(plan) | more)
    else:
        inputs = inputs_section(pins.name, inputs_text(result.fleet, pins))
        args.report.data("plan", plan_text(plan) + inputs + order_text(order))
    would_change = plan.changes or bool(diff_text(compiled))
    args.report.note("would_change", would_change)
    return EXIT_ERRORS if args.detailed_exitcode and would_change else EXIT_OK


def inputs_section(name: str, lines: list[str]) -> str:
    if not lines:
        return ""
    return f"\nInputs ({name}):\n" + "".join(f"  {line}\n" for line in lines)


def flake_dir(args, compiled) -> str:
    """The directory of the flake carrying the fleet, as a command run here
    names it: the output, or the repository's root when that flake embeds it."""
    if compiled.result.fleet.embed:
        return here(flake_root_dir(args))
    return here(compiled.out_dir)


def here(directory) -> str:
    relative = os.path.relpath(directory)
    return relative if relative.startswith((".", "/")) else f"./{relative}"


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
    from .graph import dot, mermaid

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
