"""The publish guard: a load that is structurally broken never replaces good marts.

A load is held back when a table its system requires has no rows, when a file was
read only in part (a parse that stopped early), or when a table collapsed against
the authority's last published load. Each is a failure record (rules in
:data:`iro_schemas.rules.HOLDING_RULES`), so the quality officer sees why; the held
load publishes its failure records and load summary only.
"""

from __future__ import annotations

import pandas as pd
from iro_schemas.rules import HOLDING_RULES

from iro_etl.quality.failures import Failure

#: Tables smaller than this at the last published load are not compared: a handful of rows
#: moves by more than a fifth from one night to the next without anything being wrong.
MIN_ROWS_COMPARED = 20


def missing_tables(tables: dict[str, pd.DataFrame], required: tuple[str, ...]) -> list[Failure]:
    """A ``missing_table`` failure for each required table with no rows read."""
    return [Failure(table, None, "missing_table", column_name=table) for table in required
            if table not in tables or len(tables[table]) == 0]


def dropped_tables(previous: pd.DataFrame, summary: pd.DataFrame, tables: tuple[str, ...],
                   max_drop: float) -> list[Failure]:
    """A ``rows_dropped`` failure for each table whose clean rows fell by more than
    ``max_drop`` since ``previous`` (the last published load's per-table counts)."""
    if previous.empty:
        return []
    before = previous.set_index("table_name")["rows_clean"]
    now = summary.set_index("table_name")["rows_clean"]
    out = []
    for table in tables:
        was, is_ = int(before.get(table, 0)), int(now.get(table, 0))
        if was >= MIN_ROWS_COMPARED and is_ < was * (1 - max_drop):
            out.append(Failure(table, None, "rows_dropped", column_name=table,
                               value=f"{table}: {is_:,} clean rows where the last published load "
                               f"had {was:,} (down {1 - is_ / was:.0%}, more than {max_drop:.0%})"))
    return out


def holding(failures: pd.DataFrame) -> pd.DataFrame:
    """The failures that hold a load back."""
    return failures[failures["rule"].isin(HOLDING_RULES)]


def held_reason(failures: pd.DataFrame) -> str:
    """One line: why the load was held back, naming each file or table and its row."""
    parts = []
    for row in holding(failures).itertuples(index=False):
        if row.rule == "rows_dropped":
            parts.append(str(row.value))
        elif row.rule == "missing_table":
            parts.append(f"{row.table_name}: no rows read (file missing, empty or not recognised)")
        else:
            where = " ".join([str(row.source_file),
                              *([str(row.sheet)] if pd.notna(row.sheet) else []),
                              *([f"row {row.row}"] if pd.notna(row.row) else [])])
            parts.append(f"{where}: reading stopped early ({row.value})")
    return "; ".join(parts)
