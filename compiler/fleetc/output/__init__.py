"""Writing the generated tree: the owned files (writer), the manifest that
names them, one journaled transaction (transaction), one run at a time
(exclusive), comparison with what is on disk (compare), and what the module
check learns from disk and git (disk_facts).

May import: core. Never: nixbuild, review, cli (tests/test_layers.py).
"""
