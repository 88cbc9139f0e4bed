"""fleetc's tests, one sub-package per package of compiler/fleetc (core,
frontend, checks, allocate, lock, emit, output, nixbuild, review, convert, cli),
plus e2e (whole runs: goldens, samples, generation trees, the FAQ recipes) and
fuzz; support/ holds the helpers they share.

Modules import each other as `tests.support.goldens`: every folder is a
package, so pytest puts the repository root on sys.path and imports each test
by its dotted name. Scripts run from the root: `python -m tests.support.fuzz`.
"""
