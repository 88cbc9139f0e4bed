"""The TOML and DSL frontends, the schema and the JSON Schema."""
