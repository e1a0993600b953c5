"""iro-etl source plugin for the DfE SSDA903 children-looked-after return (CSV and XML)."""
