"""iro-etl source plugin: Liquidlogic LCS reporting-database tables, from CSV extracts or the database."""
