"""iro-etl core: the plugin API and registry, readers, validation, IRO rules, marts, publishing.

Nothing here imports Dagster: the Dagster code location (``iro_assets``) and the
benchmarks call these same functions.
"""
