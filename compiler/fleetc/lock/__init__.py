"""fleet.lock: what it holds (entries), reading and rendering it (lockfile),
its values and names checked when read back (values; TOML quoting is
core/toml_text),
its checksum line (seal), retirement records (retire, retired).

May import: core, frontend (the TOML reader and spans). Never: output,
nixbuild, review, cli (tests/test_layers.py).
"""
