"""The annual report as a PDF beside its workbook, for people who read rather than analyse.

Written with fpdf2 from the same :class:`~iro_etl.reports.annual_report.ReportData` as the
workbook: a cover, one page per section (its figures in words, then its table), and the
back page saying where the figures come from. The charts stay in the workbook, where they
can be restyled; the PDF carries the numbers and the commentary. Pages are A4 landscape.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from iro_etl.reports.annual_report import AGE_BANDS, SECTIONS, ReportData, year_label


def _latin(text: object) -> str:
    """Text the PDF's built-in font can draw (it has Latin-1 only)."""
    return str(text).replace("\u2019", "'").replace("\u2013", "-").encode(
        "latin-1", "replace").decode("latin-1")


def _shown(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return _latin(f"{value:,}" if isinstance(value, int) else value)


def _population(data: ReportData) -> pd.DataFrame:
    rows = data.for_year("lac_population")
    if rows.empty:
        return rows
    grid = rows.pivot_table(index="age_band", columns="gender", values="children",
                            aggfunc="sum", fill_value=0)
    grid = grid.reindex([b for b in AGE_BANDS if b in grid.index])
    grid["total"] = grid.sum(axis=1)
    grid.loc["total"] = grid.sum()
    return grid.astype(int).rename_axis("age band").reset_index()


def _for_year(name: str, columns: list[str]) -> Callable[[ReportData], pd.DataFrame]:
    def table(data: ReportData) -> pd.DataFrame:
        rows = data.for_year(name)
        return rows[columns] if len(rows) else rows
    return table


def _workforce(data: ReportData) -> pd.DataFrame:
    rows = data.for_year("iro_workforce")
    if rows.empty:
        return rows
    record = rows.iloc[0]
    names = {"iros_in_post": "IROs in post", "iro_fte": "FTE on the IRO role",
             "children_looked_after": "children looked after", "average_caseload":
             "average caseload", "peak_caseload": "peak caseload"}
    return pd.DataFrame({"measure": list(names.values()),
                         "value": [record[c] for c in names]})


def _trends(data: ReportData) -> pd.DataFrame:
    rows = data.trend_years(data.up_to_year("trends"))
    if rows.empty:
        return rows
    grid = rows.pivot(index="measure", columns="year_ending", values="value")
    grid.columns = [year_label(y) for y in grid.columns]
    return grid.reset_index()


_TABLES: dict[str, Callable[[ReportData], pd.DataFrame]] = {
    "Population": _population,
    "Timeliness": _for_year("review_timeliness_indicator", ["cohort", "reviewed_on_time",
                                                            "percent"]),
    "Participation": _for_year("participation_indicator", ["measure", "numerator",
                                                           "denominator", "percent"]),
    "Parental participation": _for_year("parental_participation", ["role", "status",
                                                                   "reviews", "percent"]),
    "Quality checklist": _for_year("review_quality", ["basis", "measure", "numerator",
                                                      "denominator", "percent"]),
    "Workforce": _workforce,
    "Disputes": _for_year("disputes_by_stage", ["stage", "raised", "resolved",
                                                "open_at_year_end"]),
    "Trends": _trends,
}


class _Report(FPDF):
    def __init__(self, data: ReportData) -> None:
        super().__init__(orientation="L", format="A4")
        self.data = data
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 8, _latin(f"IRO annual report, {self.data.name}, {self.data.label}. "
                               f"Page {self.page_no()}"), align="C")

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font("Helvetica", "B", size)
        self.cell(0, 10, _latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def para(self, text: str, style: str = "") -> None:
        self.set_font("Helvetica", style, 11)
        self.multi_cell(0, 6, _latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def frame(self, frame: pd.DataFrame) -> None:
        self.set_font("Helvetica", "", 9)
        with self.table(text_align="LEFT", line_height=6) as table:
            header = table.row()
            for column in frame.columns:
                header.cell(_latin(str(column).replace("_", " ")))
            for values in frame.itertuples(index=False):
                row = table.row()
                for value in values:
                    row.cell(_shown(value))


def write_annual_pdf(data: ReportData, path: Path) -> Path:
    """The PDF of ``data``'s annual report at ``path``."""
    pdf = _Report(data)
    pdf.add_page()
    pdf.heading("Independent Reviewing Officer service: annual report", 20)
    pdf.para(f"{data.name}, year ending 31 March {data.year} ({data.label}). "
             f"Data as of {data.as_of.date().isoformat()}.")
    pdf.heading("Sections", 13)
    for section in SECTIONS:
        pdf.para(f"{section.sheet}: {section.about}")
    for section in SECTIONS:
        pdf.add_page()
        pdf.heading(f"{section.sheet}, {data.label}")
        if not section.recorded(data):
            pdf.para("Not recorded in this system.", "I")
            continue
        for sentence in section.sentences(data):
            pdf.para(sentence)
        table = _TABLES[section.sheet](data)
        if table.empty:
            pdf.para(f"No data for {data.label}.", "I")
        else:
            pdf.frame(table)
    pdf.add_page()
    pdf.heading("About these figures")
    pdf.para(f"All figures come from the marts published for {data.authority} by load "
             f"{data.load_id} (data as of {data.as_of.date()}), read back from the marts "
             "database. The workbook beside this PDF holds the same tables with charts.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
