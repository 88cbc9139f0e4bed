"""Building a compiled fleet: its tree written, then one `nix build`."""

from __future__ import annotations

from ..nixbuild import build, staging
from ..nixbuild.build import table
from .compiled import Compiled
from .pinned import pins_checked
from .files import EXIT_NIX, EXIT_OK, EXIT_USAGE, fs_problem, usage_problem
from .report import Report
from .writing import write_outputs


def build_compiled(args, compiled: Compiled) -> int:
    """Write the tree, then build every target (or those named) with Nix."""
    code, _ = write_outputs(args, compiled)
    if code != EXIT_OK:
        return code
    code = pins_checked(args, compiled)  # Nix may not change flake.lock: said first
    if code != EXIT_OK:
        return code
    try:
        outcomes, unknown = build.build(
            compiled.result.fleet,
            args.fleet.resolve().parent,
            compiled.out_dir,
            args.names,
            args.nix_args,
            files=compiled.result.files,
            tell=args.report.show,
        )
    except FileNotFoundError as missing:
        return not_found(args.report, missing)
    except staging.StagingRefused as refusal:  # a linked flake.lock (F052)
        args.report.show([refusal.diagnostic])
        return EXIT_USAGE
    except staging.StagingFailed as problem:
        return usage_problem(args.report, str(problem).removeprefix("fleetc: "))
    except OSError as problem:
        return fs_problem(
            args.report, "F032", "cannot stage the fleet for Nix", problem
        )
    if unknown:
        names = ", ".join(unknown)
        return usage_problem(args.report, f"no VM or host named {names}")
    show_outcomes(args.report, outcomes)
    return EXIT_NIX if any(o.result == "failed" for o in outcomes) else EXIT_OK


def not_found(report: Report, missing: FileNotFoundError) -> int:
    if missing.filename is None:  # nix is not installed: the message says so
        return usage_problem(report, str(missing).removeprefix("fleetc: "))
    return fs_problem(report, "F030", "cannot find", missing)


def show_outcomes(report: Report, outcomes: list) -> None:
    """The build table on stdout; in JSON, one entry a target."""
    report.data("table", table(outcomes) + "\n")
    report.note("targets", [outcome_json(o) for o in outcomes])


def outcome_json(outcome) -> dict:
    target = outcome.target
    out = outcome.out_path or None
    return {
        "name": target.name,
        "kind": target.kind,
        "result": outcome.result,
        "out": out,
    }
