"""The whole-fleet checks; cases/ holds one marked fleet file per case."""
