"""An example iro-etl source plugin, installed by path: see docs/plugins.md."""
