"""The wheel build: pure Python by default; FLEETC_COMPILE=1 compiles the core with mypyc."""

import os
import sys
from pathlib import Path

from setuptools import setup

COMPILED = ("core", "frontend", "lock", "allocate", "checks", "emit")
# Left pure: the model's frozen dataclasses cache lookups in their __dict__ and
# are copied through it (allocate/as_locked.py), which native classes have not.
# The lock's entries subclass the model's Node.
PURE: set = set()


def compiled_modules() -> list[str]:
    root = Path("compiler/fleetc")
    found = []
    for package in COMPILED:
        for path in sorted((root / package).glob("*.py")):
            if str(path.relative_to(root)) not in PURE:
                found.append(str(path))
    return found


METADATA_ONLY = {"egg_info", "dist_info"}  # pip asks for these first: no compile


if os.environ.get("FLEETC_COMPILE") == "1" and not METADATA_ONLY & set(sys.argv):
    from mypyc.build import mypycify

    setup(ext_modules=mypycify(compiled_modules(), opt_level=os.environ.get("MYPYC_OPT_LEVEL", "3")))
else:
    setup()
