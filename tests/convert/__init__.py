"""Translation between the TOML and DSL formats."""
