"""The core: the model, source spans, the one diagnostic type, value formats,
and `pipeline.compile`, the pure function every command shares.

May import: the inner layers it drives (frontend, checks, allocate, lock, emit).
Never: output, nixbuild, review, cli (tests/test_layers.py).
"""
