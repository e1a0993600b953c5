"""iro-etl source plugin: Mosaic warehouse tables: people, periods of care, workflow steps."""
