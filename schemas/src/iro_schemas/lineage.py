"""Lineage columns: where in the authority's export each canonical row came from."""

SOURCE_FILE = "_source_file"
#: The sheet of a workbook; for XML, the record's element path (CHILD[12]/EPISODE[3]).
SHEET = "_sheet"
#: The row number a person sees when opening the export in Excel (header is row 1).
ROW = "_row"

LINEAGE_COLUMNS: tuple[str, ...] = (SOURCE_FILE, SHEET, ROW)
