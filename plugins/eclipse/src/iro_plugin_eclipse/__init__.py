"""iro-etl source plugin: Eclipse (OLM Systems) warehouse views, from the database or CSV extracts."""
