"""The command line: reads the fleet, calls the pure core, then writes, compares or builds."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path, PurePosixPath

from . import __version__, build
from .compare import unified_diff
from .diagnostics import error
from .pipeline import Placement, Result, compile
from .report import print_diagnostics
from .source import Source
from .writer import WriteRefused, write_tree

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_NIX = 0, 1, 2, 3


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="fleetc", description="Compile a MicroVM fleet into a Nix flake tree."
    )
    top.add_argument("--version", action="version", version=f"fleetc {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _command(commands, "check", "validate the fleet; exit 1 on errors")
    gen = _command(commands, "generate", "write the generated tree")
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and show a diff if stale",
    )
    gen.add_argument(
        "--force", action="store_true", help="overwrite generated files edited by hand"
    )
    _command(commands, "diff", "show what generate would change")
    build = _command(
        commands, "build", "generate, then nix build every runner and host"
    )
    build.add_argument(
        "names", nargs="*", metavar="NAME", help="only these VMs or hosts"
    )
    build.add_argument(
        "--force", action="store_true", help="overwrite hand-edited files"
    )
    build.epilog = "Arguments after `--` go to nix unchanged."
    return top


def _command(commands, name: str, summary: str) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=summary, description=summary)
    sub.add_argument("fleet", type=Path, help="the fleet file (.toml or .fleet)")
    sub.add_argument(
        "--out", type=Path, help="output directory (default: fleet.output)"
    )
    sub.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="diagnostic format",
    )
    sub.add_argument(
        "--format-in",
        choices=("toml", "fleet"),
        help="input format (default: by extension)",
    )
    return sub


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ours, nix_args = split_passthrough(argv)
    args = parser().parse_args(ours)
    args.nix_args = nix_args
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """Arguments after the first `--` belong to nix, untouched."""
    if "--" not in argv:
        return argv, []
    cut = argv.index("--")
    return argv[:cut], argv[cut + 1 :]


def compile_file(args) -> Result | int:
    """Compile the fleet file, print diagnostics; an exit code when it cannot."""
    try:
        text = args.fleet.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        print(f"fleetc: cannot read {args.fleet}: {_reason(problem)}", file=sys.stderr)
        return EXIT_USAGE
    result = compile(Source(str(args.fleet), text), placement(args), args.format_in)
    print_diagnostics(result.diagnostics, args.format)
    return result


def placement(args) -> Placement:
    fleet_dir = args.fleet.resolve().parent
    out = args.out.resolve() if args.out else None
    return Placement(
        PurePosixPath(fleet_dir.as_posix()),
        _repo_root(fleet_dir),
        PurePosixPath(out.as_posix()) if out else None,
    )


def _repo_root(start: Path) -> PurePosixPath | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return PurePosixPath(directory.as_posix())
    return None


def _reason(problem: Exception) -> str:
    return getattr(problem, "strerror", None) or str(problem)


def cmd_check(args) -> int:
    result = compile_file(args)
    if isinstance(result, int):
        return result
    return EXIT_OK if result.ok else EXIT_ERRORS


def cmd_generate(args) -> int:
    result = compile_file(args)
    if isinstance(result, int):
        return result
    if not result.ok:
        return EXIT_ERRORS
    out_dir = Path(str(result.output_dir))
    if args.check:
        return _stale_check(out_dir, result)
    return _write(args, out_dir, result)


def _write(args, out_dir: Path, result: Result) -> int:
    try:
        report = write_tree(out_dir, result.files, force=args.force)
    except WriteRefused as refused:
        return _refused(args, refused)
    except OSError as problem:
        print(f"fleetc: cannot write {out_dir}: {_reason(problem)}", file=sys.stderr)
        return EXIT_USAGE
    shown = _shown(out_dir)
    print(
        f"fleetc: wrote {report.written} files to {shown}/ ({len(report.changed)} changed)"
    )
    for name in report.removed:
        print(f"fleetc: removed {shown}/{name}")
    return EXIT_OK


def _refused(args, refused: WriteRefused) -> int:
    diagnostic = error("F007", str(refused), None, help=refused.help)
    print_diagnostics([diagnostic], args.format)
    return EXIT_USAGE


def _stale_check(out_dir: Path, result: Result) -> int:
    diff = unified_diff(out_dir, result.files, _shown(out_dir))
    if not diff:
        return EXIT_OK
    sys.stdout.write(diff)
    print(f"fleetc: {_shown(out_dir)} is stale; run `fleetc generate`", file=sys.stderr)
    return EXIT_ERRORS


def cmd_diff(args) -> int:
    result = compile_file(args)
    if isinstance(result, int):
        return result
    if not result.ok:
        return EXIT_ERRORS
    out_dir = Path(str(result.output_dir))
    sys.stdout.write(unified_diff(out_dir, result.files, _shown(out_dir)))
    return EXIT_OK


def cmd_build(args) -> int:
    result = compile_file(args)
    if isinstance(result, int):
        return result
    if not result.ok:
        return EXIT_ERRORS
    out_dir = Path(str(result.output_dir))
    written = _write(args, out_dir, result)
    if written != EXIT_OK:
        return written
    fleet_dir = args.fleet.resolve().parent
    try:
        outcomes, unknown = build.build(
            result.fleet, fleet_dir, out_dir, args.names, args.nix_args
        )
    except FileNotFoundError as missing:
        print(missing, file=sys.stderr)
        return EXIT_USAGE
    if unknown:
        print(f"fleetc: no VM or host named {', '.join(unknown)}", file=sys.stderr)
        return EXIT_USAGE
    build.print_table(outcomes)
    return EXIT_NIX if any(o.result == "failed" for o in outcomes) else EXIT_OK


def _shown(out_dir: Path) -> str:
    """A path as users should see it: relative to the repository, else to the cwd."""
    root = _repo_root(out_dir.parent if not out_dir.exists() else out_dir)
    base = Path(str(root)) if root else Path.cwd()
    try:
        return out_dir.relative_to(base).as_posix()
    except ValueError:
        return os.path.relpath(out_dir)


COMMANDS = {
    "check": cmd_check,
    "generate": cmd_generate,
    "diff": cmd_diff,
    "build": cmd_build,
}

if __name__ == "__main__":
    raise SystemExit(main())
