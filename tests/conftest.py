"""Test-wide settings.

Hypothesis's per-example deadline is a timing assertion, and speed is measured
in `make bench`, never in unit tests: on a loaded CI machine (2 cores, other
suites beside it) a 4 ms example took 264 ms and failed the run. Deadlines are
off for every property test; `HealthCheck.too_slow` likewise.
"""

import pytest
from hypothesis import HealthCheck, settings

from tests.support.precommit import hooks_for_session

settings.register_profile(
    "fleetc", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("fleetc")


@pytest.fixture(scope="session")
def hooks(tmp_path_factory):
    """fleetc's pre-commit hooks, installed once per session."""
    return hooks_for_session(tmp_path_factory.mktemp("pre-commit"))
