"""One fleetc command in-process under cProfile: the functions that took the
most cumulative time, as bench/table.py prints them where a target is missed.

usage: profile_run.py DIR TOP ARGS...   (runs `fleetc ARGS...` in DIR)
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys

IMPORT_BUILTINS = {
    "<built-in method builtins.exec>",
    "<built-in method builtins.__import__>",
}


def short(where: tuple[str, int, str]) -> str:
    path, line, name = where
    if "/fleetc/" in path:
        path = "fleetc/" + path.rsplit("/fleetc/", 1)[1]
    elif "/site-packages/" in path:
        path = path.rsplit("/site-packages/", 1)[1]
    elif path.startswith("/"):
        path = os.path.basename(path)
    return f"{path}:{line}({name})" if line else name


def noise(where: tuple[str, int, str]) -> bool:
    """The import machinery's frames: each import shows as its module's
    `<module>` line instead."""
    path, _, name = where
    return path.startswith("<frozen") or name in IMPORT_BUILTINS


def lines(stats: dict, order: int, top: int, total: float) -> list[str]:
    """The `top` functions by column `order` of pstats (2 own, 3 cumulative)."""
    rows = [item for item in stats.items() if not noise(item[0])]
    rows.sort(key=lambda item: item[1][order], reverse=True)
    found = [f"{'cumulative':>10} {'share':>6} {'own':>7} {'calls':>9}  function"]
    for where, (_, calls, own, cumulative, _) in rows[:top]:
        share = f"{cumulative / total:.0%}"
        found.append(
            f"{cumulative:9.3f}s {share:>6} {own:6.3f}s {calls:>9}  {short(where)}"
        )
    return found


def main(folder: str, top: int, argv: list[str]) -> None:
    os.chdir(folder)
    from fleetc.cli.main import main as fleetc

    profile = cProfile.Profile()
    code = profile.runcall(fleetc, argv)
    stats = pstats.Stats(
        profile
    ).stats  # where -> (cc, calls, own, cumulative, callers)
    total = max(entry[3] for entry in stats.values())
    print(f"exit {code}; {total:.3f} s under cProfile (inflated; shares hold)")
    print("\n".join(lines(stats, 3, top, total)))
    print(f"by own time, the top {top // 2}:")
    print("\n".join(lines(stats, 2, top // 2, total)[1:]))


if __name__ == "__main__":
    sys.stdout = sys.__stdout__
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
