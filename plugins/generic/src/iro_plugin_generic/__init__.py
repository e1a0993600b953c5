"""iro-etl source plugin: Any CSV or Excel export described by a YAML mapping file."""
