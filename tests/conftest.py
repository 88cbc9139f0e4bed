"""Test-wide settings.

Hypothesis's per-example deadline is a timing assertion, and speed is measured
in `make bench`, never in unit tests: on a loaded CI machine (2 cores, other
suites beside it) a 4 ms example took 264 ms and failed the run. Deadlines are
off for every property test; `HealthCheck.too_slow` likewise.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fleetc", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("fleetc")
