"""The tree writer: owned files, the transaction, the manifest."""
