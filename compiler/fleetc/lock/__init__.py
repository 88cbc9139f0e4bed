"""fleet.lock: reading and rendering it (lockfile), its checksum line (seal),
retirement records (retire, retired).

May import: core, frontend (the TOML reader and spans). Never: output,
nixbuild, review, cli (tests/test_layers.py).
"""
