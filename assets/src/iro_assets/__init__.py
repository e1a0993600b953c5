"""iro-assets: the iro-etl Dagster code location (assets, checks, jobs, schedules, sensors, resources)."""
