"""The failures workbook a quality officer works from: what is wrong, where, and what is new.

One summary sheet (counts by table, rule and severity with what each rule means and how
to put it right; new, still open, resolved and accepted since the last load) and one sheet
per source table listing each failure with the record it is about (the child's id and the
date, as the export has them), the row as the export numbers it, and the valid codes where
a code was wrong. Every sheet prints landscape, one page wide, its header on each page.
Every cell is written as a value: text that looks like a formula (``=``, ``+``, ``-``,
``@``) stays inert text.
"""

from pathlib import Path

import pandas as pd
from iro_schemas.rules import RULES, how_to_fix
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from iro_etl.quality.history import failure_keys

#: How a spreadsheet recognises a formula (tab and carriage return too, as OWASP lists them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
_DETAIL = [("status", "Status"), ("record", "Record"), ("source_file", "File"),
           ("sheet", "Sheet"), ("row", "Row"),
           ("column_name", "Column"), ("value", "Value"), ("cell", "Cell"), ("severity", "Severity"),
           ("consequence", "Consequence"), ("rule", "Rule"), ("message", "What to fix"),
           ("accepted", "Accepted"), ("failure_key", "Failure key")]


def put_value(sheet: Worksheet, row: int, col: int, value: object) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return
    if hasattr(value, "item"):
        value = value.item()
    cell = sheet.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # openpyxl would store these as formulas; a value from an export must never run.
        cell.data_type = "s"
        cell.quotePrefix = True


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for a CSV a person opens in a spreadsheet: text that would start a formula
    (a value copied from an export, such as ``=HYPERLINK(...)``) gets a leading apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype("string")
            live = text.str.startswith(_FORMULA_START).fillna(False)
            if live.any():
                out[col] = out[col].astype(object).where(~live, "'" + text)
    return out


def _for_print(sheet: Worksheet, top: int) -> None:
    """Landscape, as wide as one page, the header row repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{top}:{top}"


def _meaning(rule: str) -> str:
    """What a rule says, without one failure's column and value."""
    return RULES[rule].message.format(column="The field", value="...")


def _table(sheet: Worksheet, top: int, frame: pd.DataFrame, headers: list[str]) -> None:
    for j, title in enumerate(headers, start=1):
        cell = sheet.cell(row=top, column=j, value=title)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for i, record in enumerate(frame.itertuples(index=False), start=top + 1):
        for j, value in enumerate(record, start=1):
            put_value(sheet, i, j, value)
    last = get_column_letter(len(headers))
    sheet.auto_filter.ref = f"A{top}:{last}{top + max(len(frame), 1)}"
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    _for_print(sheet, top)
    for j, title in enumerate(headers, start=1):
        values = [len(str(v)) for v in frame.iloc[:200, j - 1]] if len(frame) else []
        sheet.column_dimensions[get_column_letter(j)].width = min(60, max([len(title), *values]) + 2)


def failures_table(authority: str, failures: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """This load's failures with their status (new/open) and acceptance from the history."""
    cell = failures["column_letter"] + failures["row"].astype("string")
    # The record's own key (child id, date) as the export writes it, for finding it there.
    record = failures["record_key"].astype("string").str.replace("|", ", ", regex=False)
    frame = failures.assign(failure_key=failure_keys(authority, failures), cell=cell,
                            record=record)
    state = history.set_index("failure_key")[["status", "accepted"]]
    return frame.join(state, on="failure_key")


def write_failures_workbook(path: Path, authority: str, load_id: str, as_of: pd.Timestamp,
                            failures: pd.DataFrame, history: pd.DataFrame) -> Path:
    """Write the workbook for one authority's load to ``path``."""
    current = failures_table(authority, failures, history)
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary["A1"] = f"Validation failures: {authority}"
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = f"Load {load_id}, as of {as_of.date()}"
    status = history.assign(status=history["status"].where(~history["accepted"], "accepted"))
    counts = status[(status["status"] != "resolved")
                    | (status["resolved_load"] == load_id)]["status"].value_counts()
    for i, name in enumerate(["new", "open", "resolved", "accepted"], start=4):
        summary.cell(row=i, column=1, value=f"{name}").font = Font(bold=True)
        summary.cell(row=i, column=2, value=int(counts.get(name, 0)))
    unaccepted = current[~current["accepted"].fillna(False).astype(bool)]
    by_rule = (unaccepted.groupby(["table_name", "rule", "severity"]).size()
               .reset_index(name="failures"))
    by_rule["meaning"] = by_rule["rule"].map(_meaning)
    by_rule["fix"] = by_rule["rule"].map(how_to_fix)
    _table(summary, 9, by_rule, ["Table", "Rule", "Severity", "Failures", "What it means",
                                 "How to fix it"])
    for row in summary.iter_rows(min_row=10, min_col=5, max_col=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    summary.freeze_panes = None
    for table, rows in current.groupby("table_name", sort=True):
        sheet = book.create_sheet(table[:31])
        detail = rows.sort_values(["source_file", "row"])[[c for c, _ in _DETAIL]]
        _table(sheet, 1, detail, [title for _, title in _DETAIL])
        message = get_column_letter(1 + [c for c, _ in _DETAIL].index("message"))
        for cell in sheet[message][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    resolved = history[history["resolved_load"] == load_id]
    if len(resolved):
        sheet = book.create_sheet("Resolved")
        cols = ["table_name", "record_key", "column_name", "rule", "first_seen_on", "failure_key"]
        frame = resolved[cols].assign(first_seen_on=pd.to_datetime(resolved["first_seen_on"])
                                      .dt.date)
        _table(sheet, 1, frame, ["Table", "Record", "Column", "Rule", "First seen", "Failure key"])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
