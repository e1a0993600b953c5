"""iro-assets: the iro-etl Dagster code location and the ``iro-etl`` command line."""
