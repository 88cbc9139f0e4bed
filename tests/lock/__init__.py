"""fleet.lock: rendering, integrity, retirement records, the VM lifecycle."""
