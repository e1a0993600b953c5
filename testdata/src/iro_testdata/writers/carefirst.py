"""Synthetic CareFirst exports: the ground truth as the LAC IRO report's workbook or CSV files.

The mess is the report's own: two or three title rows above each header (merged across
the columns in the workbook), CareFirst's words for coded values (Male/Female, Yes/No,
"Step Parent", "C2 - Full care order"), the IRO's time as a percentage, Client IDs with
stray spaces, dates stored as real Excel dates in most sheets but as bare serial numbers
in others, and Client IDs stored as numbers in the reviews sheet. Defects the truth asks
for (``defect_rate``) come from :func:`iro_testdata.synthetic.text_tables`.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import openpyxl
import pandas as pd
from iro_plugin_carefirst import vocabulary as vocab
from iro_plugin_carefirst.tables import DISPLAY_NAMES, SHEET_NAMES, WORKBOOK_NAME
from iro_schemas.canonical import CANONICAL_MODELS
from openpyxl.styles import Font

from iro_testdata.synthetic import DefectLedger, text_tables

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

#: Sheets whose date cells hold bare serial numbers (a report column formatted as General).
SERIAL_DATE_SHEETS = frozenset({"episodes", "review_participants"})
#: Sheets whose Client IDs are number cells rather than text.
NUMERIC_ID_SHEETS = frozenset({"reviews"})
#: Share of rows whose Client ID carries stray spaces.
PADDED_ID_SHARE = 0.05
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

#: Per table, column -> how a canonical value (as text) is printed by the report.
_TO_CAREFIRST = {
    "children": {"sex": vocab.SEX_NAMES},
    "review_records": {"status": vocab.REVIEW_STATUS_NAMES, "rag": vocab.RAG_NAMES,
                       **dict.fromkeys(("child_informed", "sw_report_on_time", "child_prepared",
                                        "child_views_available", "key_people_present"),
                                       vocab.FLAG_NAMES)},
    "review_participants": {"role": vocab.ROLE_NAMES, "status": vocab.PARTICIPATION_NAMES},
    "disputes": {"stage": vocab.STAGE_NAMES},
}


def _columns_of(table: str, kind: str) -> list[str]:
    """The contract's date or number columns of ``table``."""
    prefix = {"date": "datetime", "number": "float"}[kind]
    return [c for c, spec in CANONICAL_MODELS[table].columns.items()
            if str(spec.dtype).startswith(prefix)]


def carefirst_text(truth: GroundTruth, date_format: str) -> tuple[dict[str, pd.DataFrame], DefectLedger]:
    """The truth as the report's text (CareFirst words, padded IDs, headers as printed), and its defects."""
    tables, ledger = text_tables(truth, date_format)
    rng = np.random.default_rng(truth.seed + 7)
    out = {}
    for table, frame in tables.items():
        frame = frame.copy()
        for column, names in _TO_CAREFIRST.get(table, {}).items():
            frame[column] = frame[column].map(names).fillna(frame[column])
        for column, descriptions in vocab.DESCRIBED_CODES.items():
            if column in frame:
                frame[column] = vocab.described(frame[column], descriptions)
        if table == "iro_staff":
            share = pd.to_numeric(frame["iro_share"], errors="coerce") * 100
            frame["iro_share"] = share.round(2).map("{:g}".format).where(share.notna(),
                                                                          frame["iro_share"])
        key = "iro_id" if table == "iro_staff" else "child_id"
        padded = rng.random(len(frame)) < PADDED_ID_SHARE
        frame.loc[padded, key] = " " + frame.loc[padded, key] + "  "
        out[table] = frame.rename(columns=DISPLAY_NAMES[table])
    return out, ledger


def _title(table: str, truth: GroundTruth) -> list[str]:
    run = truth.as_of + pd.Timedelta(days=1)
    return [f"CareFirst 6 – LAC IRO Report: {SHEET_NAMES[table]}",
            f"Run {run:%d/%m/%Y} 07:30 by CFREPORTS – looked after children to {truth.as_of:%d/%m/%Y}"]


def _cells(table: str, frame: pd.DataFrame) -> list[list[object]]:
    """Cell values: dates as dates (or serial numbers), numbers as numbers, the rest as text."""
    cells = frame.astype(object).where(frame.notna(), None)
    names = DISPLAY_NAMES[table]
    for column in _columns_of(table, "date"):
        text = frame[names[column]]
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        # A value that is not a date (a defect) stays as the text the report shows.
        values = ((parsed - _EXCEL_EPOCH).dt.days.astype("Int64").astype(object)
                  if table in SERIAL_DATE_SHEETS else parsed.dt.date.astype(object))
        cells[names[column]] = values.where(parsed.notna(), cells[names[column]])
    number_columns = [names[c] for c in _columns_of(table, "number")]
    for column in number_columns:
        parsed = pd.to_numeric(frame[column], errors="coerce")
        cells[column] = parsed.astype(object).where(parsed.notna(), cells[column])
    if table in NUMERIC_ID_SHEETS:
        ids = frame[names["child_id"]]
        whole = ids.str.fullmatch(r"[1-9]\d{0,14}").fillna(False).astype(bool)
        cells.loc[whole, names["child_id"]] = pd.to_numeric(ids[whole]).astype(object)
    return cells.to_numpy().tolist()


def _with_blank_rows(rows: list[list[object]], blanks: int, width: int) -> list[list[object]]:
    """Blank rows spread through the sheet, where report exports tend to have them."""
    rows = list(rows)
    for k in range(blanks):
        rows.insert((k + 1) * len(rows) // (blanks + 1), [None] * width)
    return rows


def write_workbook(truth: GroundTruth, dest: Path) -> Path:
    """``LAC_IRO_Report.xlsx`` in ``dest``: one sheet per table, titles merged above the header."""
    dest.mkdir(parents=True, exist_ok=True)
    tables, ledger = carefirst_text(truth, "%Y-%m-%d")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for i, (table, frame) in enumerate(tables.items()):
        sheet = workbook.create_sheet(SHEET_NAMES[table])
        width = len(frame.columns)
        title = _title(table, truth)
        # Some sheets leave a blank line under the titles, some do not: both occur.
        if i % 2 == 0:
            title.append("")
        for r, line in enumerate(title, start=1):
            sheet.append([line or None])
            if line:
                sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
                sheet.cell(r, 1).font = bold
        sheet.append(list(frame.columns))
        for cell in sheet[len(title) + 1]:
            cell.font = bold
        blanks = ledger.counts["blank_rows"] if table == "reviews" else 0
        for row in _with_blank_rows(_cells(table, frame), blanks, width):
            sheet.append(row)
        if table not in SERIAL_DATE_SHEETS:
            # Shown the British way; openpyxl's default for a date cell is yyyy-mm-dd.
            for column in _columns_of(table, "date"):
                at = frame.columns.get_loc(DISPLAY_NAMES[table][column]) + 1
                for (cell,) in sheet.iter_rows(min_row=len(title) + 2, min_col=at, max_col=at):
                    cell.number_format = "DD/MM/YYYY"
    path = dest / WORKBOOK_NAME
    workbook.save(path)
    return path


def write_csv_files(truth: GroundTruth, dest: Path, encoding: str = "utf-8") -> list[Path]:
    """One CSV file per sheet ("Client Details.csv", ...), titles above the header, dd/mm/yyyy dates.

    CareFirst on Windows writes CSV in the machine's code page: pass ``encoding="cp1252"``.
    """
    dest.mkdir(parents=True, exist_ok=True)
    tables, ledger = carefirst_text(truth, "%d/%m/%Y")
    paths = []
    for table, frame in tables.items():
        rows = frame.astype(object).where(frame.notna(), "").to_numpy().tolist()
        blanks = ledger.counts["blank_rows"] if table == "reviews" else 0
        rows = _with_blank_rows(rows, blanks, len(frame.columns))
        path = dest / f"{SHEET_NAMES[table]}.csv"
        # errors="replace": a character the code page lacks becomes '?', as CareFirst writes it.
        with path.open("w", newline="", encoding=encoding, errors="replace") as fh:
            writer = csv.writer(fh)
            writer.writerows([[line] for line in _title(table, truth)])
            writer.writerow([])
            writer.writerow(frame.columns)
            writer.writerows([["" if v is None else v for v in row] for row in rows])
        paths.append(path)
    return paths


#: The shapes :func:`write` can give (option ``synthetic_format``).
SYNTHETIC_FORMATS = ("xlsx", "csv")


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    """The report workbook, or one CSV per sheet with ``synthetic_format: csv``."""
    shape = (options or {}).get("synthetic_format", "xlsx")
    if shape not in SYNTHETIC_FORMATS:
        raise ValueError(f"synthetic_format must be one of {SYNTHETIC_FORMATS}, not {shape!r}")
    if shape == "csv":
        return write_csv_files(truth, dest)
    return [write_workbook(truth, dest)]
