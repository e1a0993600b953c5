"""Sources: what a plugin builds on to read one system's exports onto the canonical tables.

- :mod:`~iro_etl.sources.plugin`: the plugin contract (:class:`SourcePlugin`, :class:`SourceData`).
- :mod:`~iro_etl.sources.registry`: finding plugins through entry points (lazy, cached).
- :mod:`~iro_etl.sources.readers`: CSV and workbook tables with lineage, renamed headers, title rows.
- :mod:`~iro_etl.sources.dates`: export dates and yes/no answers as the core types them.
- :mod:`~iro_etl.sources.cells`: the column letter of a failure's cell, as a person opens the file.
- :mod:`~iro_etl.sources.sql`: reading tables straight from a reporting database.
- :mod:`~iro_etl.sources.warehouse`: a system's warehouse tables, from CSV extracts or its database.
- :mod:`~iro_etl.sources.joins`: the span (legal status, placement, allocation) in force on a date.
"""
