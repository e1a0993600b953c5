"""Synthetic generic exports: the ground truth in the layout of :mod:`iro_plugin_generic.layout`.

Writes the workbook, the CSV files and the ``iro_mapping.yaml`` that describes
them. Values are reshaped column by column (codes to words, dates to the
placement's style); only the final cell writing goes row by row.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import openpyxl
import pandas as pd
import yaml
from iro_plugin_generic.layout import (
    COVER_SHEET,
    FLAG_WORDS,
    PLACEMENTS,
    WORKBOOK,
    Placement,
    mapping_document,
)
from iro_plugin_generic.mapping import MAPPING_FILE
from iro_schemas.canonical import CANONICAL_MODELS

from iro_testdata.synthetic import text_tables

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_TEXT_DATES = "%d/%m/%Y"


def _kinds(table: str) -> dict[str, str]:
    """Canonical column -> 'date', 'flag', 'number' or 'text', from the contract's dtypes."""
    out = {}
    for col, spec in CANONICAL_MODELS[table].columns.items():
        dtype = str(spec.dtype)
        out[col] = ("date" if dtype.startswith("datetime") else "flag" if dtype == "boolean"
                    else "number" if dtype.startswith("float") else "text")
    return out


def house_values(frame: pd.DataFrame, place: Placement, in_workbook: bool) -> pd.DataFrame:
    """Export text of one table reshaped to the house style, headed by the house's headers.

    Values the style cannot take (a defect's impossible date, say) are written as they are,
    as a real export would.
    """
    kinds = _kinds(place.table)
    out = pd.DataFrame(index=frame.index)
    for col, header in place.headers.items():
        values = frame[col].astype(object)
        if col in place.words:
            values = values.replace(place.words[col])
        if kinds[col] == "flag":
            values = values.replace(FLAG_WORDS)
        elif kinds[col] == "date" and place.dates != "text":
            parsed = pd.to_datetime(values, format=_TEXT_DATES, errors="coerce")
            if place.dates == "iso":
                styled = parsed.dt.strftime("%Y-%m-%d").astype(object)
            elif place.dates == "serial":
                styled = (parsed - _EXCEL_EPOCH).dt.days.astype("Int64").astype(object)
            else:
                styled = parsed.astype(object)
            values = styled.where(parsed.notna(), values)
        elif kinds[col] == "number" and in_workbook:
            number = pd.to_numeric(values, errors="coerce").astype(object)
            values = number.where(number.notna(), values)
        out[header] = values.where(pd.notna(values), None)
    return out


def _rows(frame: pd.DataFrame) -> list[list]:
    return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()


def _with_blanks(rows: list[list], blanks: int, width: int) -> list[list]:
    """Blank rows spread through the data, where exports tend to have them."""
    for k in range(blanks):
        rows.insert((k + 1) * len(rows) // (blanks + 1), [None] * width)
    return rows


def _write_sheet(workbook: openpyxl.Workbook, place: Placement, frame: pd.DataFrame,
                 blanks: int) -> None:
    sheet = workbook.create_sheet(place.sheet)
    width = len(frame.columns)
    for title in place.titles:
        sheet.append([title])
        # Titles merged across the table, as report writers lay them out.
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    if place.titles:
        sheet.append([])
    sheet.append(list(frame.columns))
    for row in _with_blanks(_rows(frame), blanks, width):
        sheet.append(row)


def _write_csv(dest: Path, place: Placement, frame: pd.DataFrame) -> list[Path]:
    paths = []
    for part, chunk in enumerate(np.array_split(np.arange(len(frame)), place.parts), start=1):
        path = dest / place.file.format(part=part)
        # Excel's "CSV UTF-8" puts a byte-order mark first; the reader must take it.
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            for title in place.titles:
                writer.writerow([title])
            if place.titles:
                writer.writerow([])
            writer.writerow(frame.columns)
            part_frame = frame.iloc[chunk].astype(object)
            writer.writerows(part_frame.where(part_frame.notna(), "").to_numpy().tolist())
        paths.append(path)
    return paths


def write_mapping(dest: Path) -> Path:
    """The ``iro_mapping.yaml`` describing the synthetic layout."""
    path = dest / MAPPING_FILE
    text = yaml.safe_dump(mapping_document(), sort_keys=False, allow_unicode=True, width=100)
    path.write_text("# Written by the generic plugin's synthetic exporter; see "
                    "docs/examples/generic_mapping.yaml for the format.\n" + text, encoding="utf-8")
    return path


def write_export(truth: GroundTruth, dest: Path) -> list[Path]:
    """The workbook, the CSV files and the mapping in ``dest``, with the truth's defects."""
    dest.mkdir(parents=True, exist_ok=True)
    tables, ledger = text_tables(truth, _TEXT_DATES)
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = COVER_SHEET
    for line in ("Northshire Children's Services", "IRO service extract (synthetic)",
                 f"Data as at {truth.as_of:%d/%m/%Y}"):
        cover.append([line])
    paths = []
    for place in PLACEMENTS:
        frame = tables[place.table]
        if place.rows is not None:
            frame = frame[place.rows(frame).fillna(False).astype(bool)]
        house = house_values(frame, place, in_workbook=place.sheet is not None)
        if place.sheet is not None:
            blanks = ledger.counts["blank_rows"] if place.table == "reviews" else 0
            _write_sheet(workbook, place, house, blanks)
        else:
            paths += _write_csv(dest, place, house)
    workbook.save(dest / WORKBOOK)
    return [dest / WORKBOOK, *paths, write_mapping(dest)]


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    return write_export(truth, Path(dest))
