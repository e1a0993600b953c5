"""iro-etl source plugin for the Mosaic (Servelec, now System C) reporting warehouse."""
