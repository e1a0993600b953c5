"""iro-etl source plugin: Eclipse form data (form answers as JSON), from a database or an extract."""
