"""The compiler's import, made once per process without the cyclic collector.

`cli.main` imports `commands` from here. Importing the compiler (about a
hundred modules) makes only objects that live as long as the process:
modules, functions, classes, tables. The cyclic collector would walk them
again and again while they are made, and once more at exit, to find nothing
(a tenth of a pre-commit `fleetc check`, issue 11). So it is paused while they
are made, and they are then frozen out of its sight (`gc.freeze`); everything
made afterwards is collected as before, and compile pauses it itself
(pipeline.collector_paused).
"""

from __future__ import annotations

import gc

_was_enabled = gc.isenabled()
gc.disable()
try:
    from . import compiled as commands  # noqa: F401 - what cli.main imports from here
finally:
    gc.freeze()
    if _was_enabled:
        gc.enable()
