"""iro-etl source plugin: CareFirst report exports: Excel workbooks and CSV."""
