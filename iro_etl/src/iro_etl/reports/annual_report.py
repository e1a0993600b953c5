"""The IRO annual report workbook: one authority, one year ending 31 March, from the published marts.

Every figure is read back from the marts database (``iro_etl.marts.publish.read_mart``),
never recomputed from an export, so the workbook can be rebuilt at any time and
always agrees with what Power BI or Excel users see in the marts. One sheet per
section of the annual report (population, timeliness, participation, parents,
the review checklist, workforce, disputes, trends), tables laid out for reading
and native Excel charts that point at the table cells, so a report writer can
restyle or copy them into Word. A section without rows for the year still gets
its sheet, saying so.

Percentages are written as the marts hold them (0-100, one decimal) with a
``0.0"%"`` number format, so the cells equal the published values exactly.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_schemas import codes
from iro_schemas.indicators import (
    BASIS_YEAR,
    BREAKDOWNS,
    PARENT_ROLES,
    PARTICIPATION_MEASURES,
    QUALITY_BASES,
    QUALITY_MEASURES,
    TREND_MEASURES,
)
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from iro_etl.marts.publish import latest_load, read_mart
from iro_etl.reports import commentary
from iro_etl.reports.code_version import code_version
from iro_etl.reports.failures_workbook import HEADER_FILL, HEADER_FONT, put_value
from iro_etl.rules.indicators import (
    ETHNIC_GROUPS,
    LOCATIONS,
    PLACEMENT_COUNTS,
    distance_categories,
    stability_categories,
)

PERCENT_FORMAT = '0.0"%"'
DECIMAL_FORMAT = "0.0"
DATE_FORMAT = "yyyy-mm-dd"
AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16-17", "18+")
#: The population breakdowns the annual report shows (the others serve other reports).
REPORT_BREAKDOWNS = ("ethnicity group", "placement location", "placement distance")
_GAP = 2  # blank rows between two tables of a sheet
#: See ReportData.min_cohort.
TREND_MIN_COHORT = 20
_CHART_COLUMN = 10  # charts sit right of the tables, from column J
#: Slice colours of the RAG pies (a default palette would paint "green" blue and "red" green).
RAG_COLOURS = {"green": "2E7D32", "amber": "F9A825", "red": "C62828"}


def year_label(year: int) -> str:
    """The financial year ending 31 March ``year`` as reports write it: 2012 -> "2011/12"."""
    return f"{year - 1}/{year % 100:02d}"


#: Each population breakdown's categories as built.
_CATEGORIES: dict[str, tuple[str, ...]] = {
    "ethnicity group": ETHNIC_GROUPS, "placement location": LOCATIONS,
    "placements in the year": PLACEMENT_COUNTS,
}
#: The breakdowns whose categories name a number of the policy (miles, years): their order
#: is found from the number in them.
_POLICY_CATEGORIES: dict[str, Callable[[float], tuple[str, ...]]] = {
    "placement distance": distance_categories, "placement stability": stability_categories,
}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _categories_in_built_order(breakdown: str, present: Iterable[str]) -> list[str]:
    """The categories of population breakdown ``breakdown`` in ``present``, as in _ordered."""
    present = set(present)
    if breakdown in _POLICY_CATEGORIES:
        numbers = {float(found.group()) for category in present
                   if (found := _NUMBER.search(category))}
        order = _POLICY_CATEGORIES[breakdown](numbers.pop()) if len(numbers) == 1 else ()
    else:
        order = _CATEGORIES.get(breakdown, ())
    return _ordered(present, order)


def _category_ranks(frame: pd.DataFrame) -> np.ndarray:
    """Each population breakdown row's place among its breakdown's categories."""
    ranks = pd.Series({(breakdown, category): rank
                       for breakdown, categories in frame.groupby("breakdown")["category"]
                       for rank, category in enumerate(
                           _categories_in_built_order(breakdown, categories.dropna()))},
                      dtype="int64")
    rows = pd.MultiIndex.from_arrays([frame["breakdown"], frame["category"]])
    return ranks.reindex(rows).fillna(-1).to_numpy()


#: The marts whose rows the report lists as they come, by the columns of their grain after
#: the year, each in the order the rules build it in (iro_etl.rules.indicators): the
#: column's values in order, or what ranks its rows where the order depends on another
#: column (a population breakdown's categories).
_BUILT_ORDER: dict[str, dict[str, tuple[str, ...] | Callable[[pd.DataFrame], np.ndarray]]] = {
    "participation_indicator": {"measure": PARTICIPATION_MEASURES},
    "parental_participation": {"role": PARENT_ROLES, "status": codes.PARTICIPATION_STATUSES},
    "review_quality": {"basis": QUALITY_BASES, "measure": QUALITY_MEASURES},
    "rag_distribution": {"basis": QUALITY_BASES, "rag": codes.RAG},
    "disputes_by_stage": {"stage": codes.DISPUTE_STAGES},
    "population_breakdowns": {"breakdown": BREAKDOWNS, "category": _category_ranks},
}


def _ranks(frame: pd.DataFrame, column: str, values: tuple[str, ...]) -> np.ndarray:
    """Each row's place in ``values`` order of ``column`` (see _ordered)."""
    return pd.Categorical(frame[column],
                          categories=_ordered(frame[column].dropna().unique(), values)).codes


def _in_built_order(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s rows by year, then as mart ``name`` is built (values the rules do not know
    after the known ones, alphabetically), whatever order the database gave them in.

    PostgreSQL returns a table's rows in the order its pages hold them, which changes as
    loads replace them; SQLite gives some marts by their grain index, others as written.
    """
    order = _BUILT_ORDER.get(name)
    if order is None or len(frame) < 2:
        return frame
    keys = pd.DataFrame(index=frame.index)
    if "year_ending" in frame:
        keys["year_ending"] = frame["year_ending"]
    for column, values in order.items():
        if column in frame:
            keys[column] = values(frame) if callable(values) else _ranks(frame, column, values)
    if not len(keys.columns):
        return frame
    return frame.loc[keys.sort_values(list(keys), kind="stable").index].reset_index(drop=True)


@dataclass
class ReportData:
    """Everything the report is written from: one authority's rows of each mart, read once
    (the rows it lists in the order the marts are built in, whatever order the database
    gave them in)."""

    authority: str
    year: int
    load_id: str
    as_of: pd.Timestamp
    marts: dict[str, pd.DataFrame]
    #: Trends start at the first year whose NI 66 cohort is at least this big: a handful of
    #: children at 100% is not a trend.
    min_cohort: int = TREND_MIN_COHORT

    def __post_init__(self) -> None:
        self.marts = {name: _in_built_order(name, frame) for name, frame in self.marts.items()}

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def name(self) -> str:
        """The authority's name as configured (its code when it has none)."""
        rows = self.mart("authorities")
        return str(rows["name"].iloc[0]) if len(rows) and "name" in rows else self.authority

    def not_recorded(self, table: str) -> bool:
        """The source system does not hold a canonical table at all (its plugin says so in
        the load summary's source_note); none in the year is 'no data', not this."""
        summary = self.mart("load_summary")
        rows = summary[summary["table_name"] == table] if len(summary) else summary
        return bool(len(rows)) and "source_note" in rows and rows["source_note"].notna().any()

    def trend_years(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame``'s rows from the first year with a cohort of ``min_cohort`` or more."""
        cohorts = self.mart("review_timeliness_indicator")
        if frame.empty or cohorts.empty:
            return frame
        big = cohorts.loc[cohorts["cohort"] >= self.min_cohort, "year_ending"]
        if big.empty:
            return frame.iloc[0:0]
        return frame[frame["year_ending"] >= big.min()].reset_index(drop=True)

    def mart(self, name: str) -> pd.DataFrame:
        return self.marts.get(name, pd.DataFrame())

    def for_year(self, name: str) -> pd.DataFrame:
        """The mart's rows for the report year (none if the mart is empty or absent)."""
        frame = self.mart(name)
        if frame.empty or "year_ending" not in frame:
            return frame.iloc[0:0]
        return frame[frame["year_ending"] == self.year].reset_index(drop=True)

    def up_to_year(self, name: str) -> pd.DataFrame:
        """Rows of every year up to the report's: a 2011/12 report shows no later years."""
        frame = self.mart(name)
        if frame.empty or "year_ending" not in frame:
            return frame.iloc[0:0]
        return frame[frame["year_ending"] <= self.year].sort_values("year_ending", ignore_index=True)

    def figures_digest(self) -> str:
        """A digest of everything the report shows except where its figures come from (the
        load, its as-of date, when it was written), with the code and libraries that draw it.

        Equal digests, equal figures: each mart's rows, as a set, of each year up to the
        report's (a later year's, still in progress, move nightly and are never shown), which
        tables the system does not record, the authority's name. A table the report lists
        as the mart gives it may come in another row order.
        """
        digest = hashlib.sha256(repr((self.authority, self.year, self.min_cohort)).encode())
        digest.update(code_version(("annual_report.py", "annual_pdf.py", "commentary.py",
                                    "failures_workbook.py"), ("openpyxl", "fpdf2")))
        for name in _MARTS:
            frame = self.mart(name)
            if "year_ending" in frame:
                frame = frame[frame["year_ending"] <= self.year]
            frame = frame.reindex(columns=_SHOWN.get(name, frame.columns))
            digest.update(repr((name, list(frame.columns), len(frame))).encode())
            # The rows as a set: a database gives a table's rows in whatever order its pages
            # hold them, which changes as loads replace them (PostgreSQL reuses the space of
            # deleted rows), so the same figures come back in another order most nights.
            rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
            digest.update(np.sort(rows).tobytes())
        return digest.hexdigest()


# --- Reading -----------------------------------------------------------------------------------

_MARTS = ("load_summary", "authorities", "lac_population", "population_breakdowns",
          "review_timeliness_indicator", "participation_indicator", "parental_participation",
          "review_quality", "rag_distribution", "iro_workforce", "disputes_by_stage", "trends")
#: The columns the report shows of the marts it reads for other things than their figures:
#: which tables the system does not hold, and the authority's name.
_SHOWN = {"load_summary": ["table_name", "source_note"], "authorities": ["name"]}


def _read(engine: sa.Engine, name: str, authority: str) -> pd.DataFrame:
    # A database published before a mart joined the contract has no table for it: treat as empty.
    if not sa.inspect(engine).has_table(name):
        return pd.DataFrame()
    return read_mart(engine, name, authority)


def read_report_data(engine: sa.Engine, authority: str, year: int,
                     min_cohort: int = TREND_MIN_COHORT) -> ReportData:
    """The authority's published marts; LookupError if no load of it has been published."""
    marts = {name: _read(engine, name, authority) for name in _MARTS}
    if marts["load_summary"].empty:
        raise LookupError(f"nothing has been published for authority {authority!r}: "
                          "run a load for it before writing its annual report")
    load_id, as_of = latest_load(engine, authority)
    return ReportData(authority, year, load_id, as_of, marts, min_cohort)


# --- Writing cells -----------------------------------------------------------------------------

def _heading(sheet: Worksheet, title: str, data: ReportData,
             sentences: Iterable[str] = ()) -> int:
    """Title, year and the section's commentary at its top; returns the first free row.
    Where the figures come from is on the last sheet, not here."""
    sheet["A1"] = f"{title}: {data.name}, {data.label}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"Year ending 31 March {data.year}."
    sheet["A2"].font = Font(italic=True)
    row = 3
    for sentence in sentences:
        sheet.cell(row=row, column=1, value=sentence)
        row += 1
    return row + 1


def _no_data(sheet: Worksheet, row: int, data: ReportData, mart: str) -> int:
    sheet.cell(row=row, column=1, value=f"No data for {data.label} in {mart}.")
    return row + 1 + _GAP


def _caption(sheet: Worksheet, row: int, text: str) -> int:
    sheet.cell(row=row, column=1, value=text).font = Font(bold=True)
    return row + 1


def _widen(sheet: Worksheet, col: int, text_length: int) -> None:
    dim = sheet.column_dimensions[get_column_letter(col)]
    current = dim.width if dim.customWidth else 0
    dim.width = max(current, min(60, text_length + 2))


def _format(column: str, values: pd.Series) -> str | None:
    if "percent" in column.lower() or column.endswith("%"):
        return PERCENT_FORMAT
    if pd.api.types.is_datetime64_any_dtype(values):
        return DATE_FORMAT
    if pd.api.types.is_float_dtype(values):
        return DECIMAL_FORMAT
    return None


def _table(sheet: Worksheet, top: int, frame: pd.DataFrame, headers: list[str] | None = None,
           percent: Iterable[str] = ()) -> int:
    """Write ``frame`` with a styled header at row ``top``; returns the row after the table.

    Columns named like a percentage (or listed in ``percent``) get the percent format.
    The first table of a sheet has its header frozen, so it stays in view while scrolling.
    """
    headers = headers or [str(c) for c in frame.columns]
    percent = set(percent)
    for j, title in enumerate(headers, start=1):
        cell = sheet.cell(row=top, column=j, value=title)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        _widen(sheet, j, len(title))
    for j, column in enumerate(frame.columns, start=1):
        values = frame[column]
        number_format = PERCENT_FORMAT if column in percent else _format(headers[j - 1], values)
        for i, value in enumerate(values, start=top + 1):
            put_value(sheet, i, j, value)
            if number_format:
                sheet.cell(row=i, column=j).number_format = number_format
        _widen(sheet, j, max((len(str(v)) for v in values.iloc[:200]), default=0))
    if sheet.freeze_panes is None:
        sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    return top + 1 + len(frame) + _GAP


def _anchor(row: int) -> str:
    return f"{get_column_letter(_CHART_COLUMN)}{row}"


def _size(chart: BarChart | LineChart | PieChart, width: float = 18, height: float = 9) -> None:
    chart.width, chart.height = width, height


def _percent_axis(chart: BarChart | LineChart) -> None:
    """A 0-100 value axis: an auto-scaled one runs past 100% and magnifies small dips."""
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100


def _straight(chart: LineChart) -> None:
    """Straight segments between years: a smoothed line invents values between them."""
    for series in chart.series:
        series.smooth = False


def _print_setup(sheet: Worksheet) -> None:
    """Landscape A4, one page wide, so a printed or PDF section keeps tables beside charts."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


# --- Sections ----------------------------------------------------------------------------------

def _ordered(values: Iterable[str], order: Iterable[str]) -> list[str]:
    """Known labels in report order, then any others the mart carries, alphabetically."""
    present = set(values)
    known = [v for v in order if v in present]
    return known + sorted(present - set(known))


def _with_totals(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    frame = frame.copy()
    frame["Total"] = frame.sum(axis=1)
    frame.loc["Total"] = frame.sum(axis=0)
    return frame.rename_axis(label).reset_index()


def _share(rows: pd.DataFrame, by: str, label: str) -> pd.DataFrame:
    counts = rows.groupby(by)["children"].sum().astype(int)
    total = int(counts.sum())
    out = counts.rename_axis(label).reset_index(name="Children")
    out["Percent"] = (out["Children"] / total * 100).round(1) if total else None
    return out.sort_values("Children", ascending=False, ignore_index=True)


def _population(sheet: Worksheet, data: ReportData, row: int) -> None:
    population = data.for_year("lac_population")
    if population.empty:
        row = _no_data(sheet, row, data, "lac_population")
    else:
        grid = population.pivot_table(index="age_band", columns="gender", values="children",
                                      aggfunc="sum", fill_value=0)
        grid = grid.reindex(index=_ordered(grid.index, AGE_BANDS),
                            columns=_ordered(grid.columns, ("female", "male")))
        pivot = _with_totals(grid.astype(int), "Age band")
        row = _caption(sheet, row, "Age band by gender")
        top = row
        row = _table(sheet, top, pivot, ["Age band", *map(str.capitalize, map(str, grid.columns)),
                                         "Total"])
        _age_gender_chart(sheet, top, len(grid.index), len(grid.columns))
        for by, label in (("legal_status_group", "Legal status"), ("placement_group", "Placement")):
            row = _caption(sheet, row, f"{label} group")
            row = _table(sheet, row, _share(population, by, label))
    breakdowns = data.for_year("population_breakdowns")
    for breakdown in _ordered(REPORT_BREAKDOWNS, BREAKDOWNS):
        rows = breakdowns[breakdowns["breakdown"] == breakdown] if len(breakdowns) else breakdowns
        row = _caption(sheet, row, breakdown.capitalize())
        if rows.empty:
            row = _no_data(sheet, row, data, f"population_breakdowns ({breakdown})")
            continue
        row = _table(sheet, row, rows[["category", "children", "denominator", "percent"]],
                     ["Category", "Children", "Denominator", "Percent"])


def _age_gender_chart(sheet: Worksheet, top: int, bands: int, genders: int) -> None:
    """Clustered columns: one series per gender over the age bands (totals left out)."""
    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = "Children looked after at 31 March by age band and gender"
    chart.y_axis.title, chart.x_axis.title = "Children", "Age band"
    values = Reference(sheet, min_col=2, max_col=1 + genders, min_row=top, max_row=top + bands)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=top + 1, max_row=top + bands))
    _size(chart)
    sheet.add_chart(chart, _anchor(top))


def _timeliness(sheet: Worksheet, data: ReportData, row: int) -> None:
    columns = ["cohort", "reviewed_on_time", "percent"]
    headers = ["Cohort", "Reviewed on time", "Percent"]
    this_year = data.for_year("review_timeliness_indicator")
    row = _caption(sheet, row, f"Children reviewed within timescales, {data.label}")
    if this_year.empty:
        row = _no_data(sheet, row, data, "review_timeliness_indicator")
    else:
        row = _table(sheet, row, this_year[columns], headers)
    trend = data.trend_years(data.up_to_year("review_timeliness_indicator"))
    if trend.empty:
        return
    row = _caption(sheet, row, "Trend over the years")
    top = row
    frame = trend[columns].assign(year=trend["year_ending"].map(year_label))[["year", *columns]]
    _table(sheet, top, frame, ["Year", *headers])
    chart = LineChart()
    chart.title = "Reviews held within timescales (%)"
    chart.y_axis.title, chart.x_axis.title = "Percent", "Year"
    chart.add_data(Reference(sheet, min_col=4, min_row=top, max_row=top + len(frame)),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=top + 1, max_row=top + len(frame)))
    _straight(chart)
    _percent_axis(chart)
    _size(chart)
    sheet.add_chart(chart, _anchor(4))


def _participation(sheet: Worksheet, data: ReportData, row: int) -> None:
    rows = data.for_year("participation_indicator")
    if rows.empty:
        _no_data(sheet, row, data, "participation_indicator")
        return
    frame = rows[["measure", "numerator", "denominator", "percent", "children_counted"]]
    _table(sheet, row, frame, ["Measure", "Children", "Of children", "Percent", "Children counted"])
    chart = BarChart()
    chart.type = "bar"  # horizontal: the measure names are long
    chart.title = f"Children's participation, {data.label} (%)"
    chart.x_axis.title, chart.y_axis.title = "Measure", "Percent"
    chart.add_data(Reference(sheet, min_col=4, min_row=row, max_row=row + len(frame)),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=row + 1, max_row=row + len(frame)))
    chart.legend = None
    _percent_axis(chart)
    _size(chart)
    sheet.add_chart(chart, _anchor(row))


def _parents(sheet: Worksheet, data: ReportData, row: int) -> None:
    rows = data.for_year("parental_participation")
    if rows.empty:
        _no_data(sheet, row, data, "parental_participation")
        return
    roles = _ordered(rows["role"], PARENT_ROLES)
    statuses = _ordered(rows["status"], codes.PARTICIPATION_STATUSES)
    recorded = int(rows["reviews_recorded"].max())
    sheet.cell(row=row, column=1, value=f"Reviews in the year with participants recorded: {recorded}")
    row += 2
    tops = {}
    for value, title in (("reviews", "Reviews"), ("percent", "Percent of reviews recorded")):
        # pivot, not pivot_table: one row per role and status, and blank percents must stay.
        grid = rows.pivot(index="role", columns="status", values=value)
        grid = grid.reindex(index=roles, columns=statuses).rename_axis("Role").reset_index()
        row = _caption(sheet, row, f"{title} by role and status")
        tops[value] = row
        headers = ["Role", *(s.capitalize() for s in statuses)]
        row = _table(sheet, row, grid, headers, percent=statuses if value == "percent" else ())
    if not recorded:
        # Stacked bars of nothing draw an empty frame: say why there is no chart instead.
        sheet[_anchor(tops["reviews"])] = "No participants recorded in the year."
        return
    top = tops["reviews"]
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = f"Parents' participation in reviews, {data.label}"
    chart.y_axis.title, chart.x_axis.title = "Reviews", "Role"
    chart.add_data(Reference(sheet, min_col=2, max_col=1 + len(statuses), min_row=top,
                             max_row=top + len(roles)), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=top + 1, max_row=top + len(roles)))
    _size(chart)
    sheet.add_chart(chart, _anchor(top))


def _quality(sheet: Worksheet, data: ReportData, row: int) -> None:
    quality = data.for_year("review_quality")
    row = _caption(sheet, row, "Checklist: reviews meeting each item")
    if quality.empty:
        row = _no_data(sheet, row, data, "review_quality")
    else:
        frame = quality[["basis", "measure", "numerator", "denominator", "not_recorded", "percent"]]
        row = _table(sheet, row, frame, ["Basis", "Item", "Met", "Recorded", "Not recorded",
                                         "Percent"])
    rag = data.for_year("rag_distribution")
    row = _caption(sheet, row, "RAG rating of the case at review")
    if rag.empty:
        _no_data(sheet, row, data, "rag_distribution")
        return
    chart_row = 4
    for basis, rows in rag.groupby("basis", sort=False):
        rows = rows.set_index("rag").reindex(_ordered(rows["rag"], ("green", "amber", "red")))
        frame = rows.reset_index()[["basis", "rag", "reviews", "rated", "percent"]]
        top = row
        row = _table(sheet, top, frame, ["Basis", "RAG", "Reviews", "Rated", "Percent"])
        anchor = _anchor(chart_row if basis == BASIS_YEAR else chart_row + 17)
        if not frame["reviews"].sum():
            # A pie of nothing draws an empty frame: say why there is no chart instead.
            sheet[anchor] = f"No RAG ratings recorded ({basis})."
            continue
        # One pie per basis; the reviews-in-the-year one is the report's headline chart.
        pie = PieChart()
        pie.title = f"RAG rating, {basis} ({data.label})"
        pie.add_data(Reference(sheet, min_col=3, min_row=top, max_row=top + len(frame)),
                     titles_from_data=True)
        pie.set_categories(Reference(sheet, min_col=2, min_row=top + 1, max_row=top + len(frame)))
        for i, rating in enumerate(frame["rag"]):
            if rating in RAG_COLOURS:
                point = DataPoint(idx=i)
                point.graphicalProperties.solidFill = RAG_COLOURS[rating]
                pie.series[0].dPt.append(point)
        _size(pie, 12, 8)
        sheet.add_chart(pie, anchor)


_WORKFORCE = [("iros_in_post", "IROs in post at 31 March"), ("fte", "Full-time equivalent (FTE)"),
              ("iro_fte", "FTE on the IRO role"),
              ("children_looked_after", "Children looked after at 31 March"),
              ("average_caseload", "Average caseload per IRO FTE"),
              ("recommended_min", "Recommended caseload, lower end"),
              ("recommended_max", "Recommended caseload, upper end"),
              ("caseload_band", "Average against the recommended range"),
              ("peak_caseload", "Peak month-end caseload of one IRO"),
              ("peak_month_end", "Month end of the peak"),
              ("children_allocated", "Children with an IRO allocated in the year"),
              ("children_one_iro", "Children who had one IRO"),
              ("children_two_iros", "Children who had two IROs"),
              ("children_three_plus_iros", "Children who had three or more IROs")]


def _workforce(sheet: Worksheet, data: ReportData, row: int) -> None:
    rows = data.for_year("iro_workforce")
    if rows.empty:
        _no_data(sheet, row, data, "iro_workforce")
        return
    record = rows.iloc[0]
    # One row a year: shown as label / value lines, which read better than a 14-column row.
    frame = pd.DataFrame({"Measure": [title for _, title in _WORKFORCE],
                          "Value": [record[col] for col, _ in _WORKFORCE]})
    frame["Value"] = frame["Value"].astype(object)
    _table(sheet, row, frame)
    for i, (col, _) in enumerate(_WORKFORCE, start=row + 1):
        cell = sheet.cell(row=i, column=2)
        if col in ("fte", "iro_fte", "average_caseload", "peak_caseload"):
            cell.number_format = DECIMAL_FORMAT
        elif col == "peak_month_end":
            cell.number_format = DATE_FORMAT
    low, high = int(record["recommended_min"]), int(record["recommended_max"])
    sheet.cell(row=row + len(frame) + 2, column=1,
               value=f"The IRO Handbook recommends {low}-{high} children per full-time IRO.")


def _disputes(sheet: Worksheet, data: ReportData, row: int) -> None:
    rows = data.for_year("disputes_by_stage")
    if rows.empty:
        _no_data(sheet, row, data, "disputes_by_stage")
        return
    columns = ["raised", "children", "resolved", "open_at_year_end"]
    frame = rows.set_index("stage").reindex(_ordered(rows["stage"], codes.DISPUTE_STAGES))[columns]
    frame.loc["Total"] = frame.sum()
    # A child can have disputes at several stages, so children do not add up across stages.
    frame = frame.astype(object)
    frame.loc["Total", "children"] = None
    _table(sheet, row, frame.rename_axis("stage").reset_index(),
           ["Stage", "Steps raised", "Children", "Steps resolved", "Open at 31 March"])


def _trends(sheet: Worksheet, data: ReportData, row: int) -> None:
    trend = data.trend_years(data.up_to_year("trends"))
    if trend.empty:
        _no_data(sheet, row, data, "trends")
        return
    if data.year not in set(trend["year_ending"]):
        row = _no_data(sheet, row, data, "trends") - _GAP + 1
    # Counts first, then percentages: each kind is one block of rows, so one chart each.
    measures = sorted(_ordered(trend["measure"], TREND_MEASURES),
                      key=lambda m: TREND_MEASURES.get(m) == "percent")
    grid = trend.pivot(index="measure", columns="year_ending", values="value")
    grid = grid.reindex(index=measures)
    years = list(grid.columns)
    grid.columns = [year_label(y) for y in years]
    frame = grid.rename_axis("Measure").reset_index()
    top = row
    _table(sheet, top, frame, percent=())
    for i, measure in enumerate(measures, start=top + 1):
        number_format = PERCENT_FORMAT if TREND_MEASURES.get(measure) == "percent" else "0"
        for j in range(2, 2 + len(years)):
            sheet.cell(row=i, column=j).number_format = number_format
    percents = sum(TREND_MEASURES.get(m) == "percent" for m in measures)
    blocks = [("Children and reviews", top + 1, top + len(measures) - percents, "Number"),
              ("Percentages", top + 1 + len(measures) - percents, top + len(measures), "Percent")]
    chart_row = top + len(measures) + 3
    for title, first, last, axis in blocks:
        if last < first:
            continue
        chart = LineChart()
        chart.title, chart.y_axis.title, chart.x_axis.title = title, axis, "Year"
        chart.add_data(Reference(sheet, min_col=1, max_col=1 + len(years), min_row=first,
                                 max_row=last), from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=2, max_col=1 + len(years), min_row=top))
        _straight(chart)
        if axis == "Percent":
            _percent_axis(chart)
        _size(chart, 22, 10)
        sheet.add_chart(chart, f"A{chart_row}")
        chart_row += 22


@dataclass(frozen=True)
class Section:
    """One section of the report: its sheet, what it shows, its writer and marts."""

    sheet: str
    about: str
    title: str
    #: Writes the section's tables and charts from the row given (below its heading).
    write: Callable[[Worksheet, ReportData, int], None]
    marts: tuple[str, ...]
    #: Its figures in words, at the top (see reports.commentary).
    words: Callable[[ReportData], list[str]] | None = None
    #: The canonical table its records come from where a system may hold none at all, and
    #: those records in words: the section then says so instead of showing zeros.
    needs: tuple[str, str] | None = None

    def recorded(self, data: ReportData) -> bool:
        return self.needs is None or not data.not_recorded(self.needs[0])

    def sentences(self, data: ReportData) -> list[str]:
        return self.words(data) if self.words and self.recorded(data) else []

    def not_recorded_text(self) -> str:
        return f"Not recorded in this system: its export does not include {self.needs[1]}."


#: The sections in report order.
SECTIONS: tuple[Section, ...] = (
    Section("Population", "children looked after at 31 March",
            "Children looked after at 31 March", _population,
            ("lac_population", "population_breakdowns"), commentary.population),
    Section("Timeliness", "reviews held within timescales", "Reviews held within timescales",
            _timeliness, ("review_timeliness_indicator",), commentary.timeliness),
    Section("Participation", "children's participation in reviews",
            "Children's participation in their reviews", _participation,
            ("participation_indicator",), commentary.participation),
    Section("Parental participation", "parents' participation in reviews",
            "Parents' and connected persons' participation", _parents,
            ("parental_participation",),
            needs=("review_participants", "who took part in each review")),
    Section("Quality checklist", "review checklist and RAG rating",
            "Review quality checklist and RAG rating", _quality,
            ("review_quality", "rag_distribution"),
            needs=("review_records", "the IRO's review records (checklist, RAG rating)")),
    Section("Workforce", "IROs, FTE and caseloads", "IRO workforce and caseloads", _workforce,
            ("iro_workforce",), commentary.workforce,
            ("iro_staff", "the IROs' posts and hours")),
    Section("Disputes", "disputes by stage", "Disputes raised by IROs, by stage", _disputes,
            ("disputes_by_stage",), commentary.disputes,
            ("disputes", "the IROs' dispute resolution log")),
    Section("Trends", "headline measures over the years", "Headline measures over the years",
            _trends, ("trends",)),
)


def _section(sheet: Worksheet, section: Section, data: ReportData) -> None:
    row = _heading(sheet, section.title, data, section.sentences(data))
    if section.recorded(data):
        section.write(sheet, data, row)
    else:
        sheet.cell(row=row, column=1, value=section.not_recorded_text())


def _cover(sheet: Worksheet, data: ReportData) -> None:
    sheet["A1"] = "Independent Reviewing Officer service: annual report"
    sheet["A1"].font = Font(bold=True, size=16)
    facts = [("Authority", data.name), ("Year", data.label),
             ("Year ending", f"31 March {data.year}"),
             ("Data as of", data.as_of.date().isoformat())]
    for i, (name, value) in enumerate(facts, start=3):
        sheet.cell(row=i, column=1, value=name).font = Font(bold=True)
        put_value(sheet, i, 2, value)
    row = 3 + len(facts) + 1
    row = _caption(sheet, row, "Sections")
    for section in SECTIONS:
        empty = all(data.for_year(m).empty for m in section.marts)
        note = f" (no data for {data.label})" if empty else ""
        sheet.cell(row=row, column=1, value=section.sheet).font = Font(bold=True)
        sheet.cell(row=row, column=2, value=f"{section.about}{note}")
        row += 1
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def _provenance(sheet: Worksheet, data: ReportData) -> None:
    """The back page: where every figure comes from, for anyone checking them."""
    sheet["A1"] = "About these figures"
    sheet["A1"].font = Font(bold=True, size=14)
    facts = [("Authority code", data.authority), ("Load", data.load_id),
             ("Data as of", data.as_of.date().isoformat()),
             ("Written", datetime.now().replace(microsecond=0).isoformat(sep=" ")),
             ("Trends from", f"the first year with {data.min_cohort}+ children in the "
                             "reviewed-within-timescales cohort")]
    for i, (name, value) in enumerate(facts, start=3):
        sheet.cell(row=i, column=1, value=name).font = Font(bold=True)
        put_value(sheet, i, 2, value)
    row = 3 + len(facts) + 1
    sheet.cell(row=row, column=1, value=(
        f"All figures come from the marts published for {data.authority} by load {data.load_id} "
        f"(data as of {data.as_of.date()}), read back from the marts database; the workbook only "
        "adds totals and shares of those rows, so every figure matches the published tables."))
    row += 2
    row = _caption(sheet, row, "Section: published marts")
    for section in SECTIONS:
        sheet.cell(row=row, column=1, value=section.sheet).font = Font(bold=True)
        sheet.cell(row=row, column=2, value=", ".join(section.marts))
        row += 1
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def write_annual_report(engine: sa.Engine, authority: str, year: int, path: Path,
                        min_cohort: int = TREND_MIN_COHORT) -> Path:
    """Write ``authority``'s IRO annual report for the year ending 31 March ``year`` to ``path``.

    Raises LookupError if nothing has been published for the authority.
    """
    return write_report(read_report_data(engine, authority, year, min_cohort), path)


def write_report(data: ReportData, path: Path) -> Path:
    """The report of ``data`` at ``path`` (a workbook), and its PDF beside it."""
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    _cover(cover, data)
    for section in SECTIONS:
        _section(book.create_sheet(section.sheet), section, data)
    _provenance(book.create_sheet("About these figures"), data)
    for sheet in book.worksheets:
        _print_setup(sheet)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    # The same report to read, beside the workbook (imported here: it imports this module).
    from iro_etl.reports.annual_pdf import write_annual_pdf

    write_annual_pdf(data, path.with_suffix(".pdf"))
    return path
