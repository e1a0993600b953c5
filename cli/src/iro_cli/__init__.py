"""The ``iro-etl`` command (:mod:`iro_cli.cli`) and the in-process Dagster runs it starts
(:mod:`iro_cli.runner`). The demo's data come from the development-only ``iro-testdata``."""
