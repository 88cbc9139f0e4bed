import sys
from pathlib import Path

# Test helpers (goldens.py, nixeval.py) live beside the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import os  # noqa: E402
import tempfile  # noqa: E402

# fleetc remembers runs in a cache (compiler/fleetc/memo.py); the tests keep it
# in a directory of their own rather than the user's ~/.cache, and leave it on,
# so that every test that runs fleetc twice also runs the remembered path.
os.environ["FLEETC_CACHE_DIR"] = tempfile.mkdtemp(prefix="fleetc-test-cache-")
