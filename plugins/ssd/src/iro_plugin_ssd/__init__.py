"""iro-etl source plugin for the Standard Safeguarding Dataset."""
