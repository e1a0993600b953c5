"""The annual IRO report workbook, written from marts published by real loads."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import AS_OF, load_marts
from iro_etl.config import Authority
from iro_etl.marts.publish import make_engine, publish_load, read_mart
from iro_etl.pipeline import read_export
from iro_etl.reports.annual_report import (
    ReportData,
    read_report_data,
    write_annual_report,
    write_report,
)
from iro_etl.reports.latest import write_latest_annual_report
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart, PieChart

SHEETS = ["Cover", "Population", "Timeliness", "Participation", "Parental participation",
          "Quality checklist", "Workforce", "Disputes", "Trends", "About these figures"]


def _publish(engine, authority: str, system: str, folder: Path, name: str | None = None) -> None:
    export = read_export(replace(Authority.ad_hoc(authority, system, folder),
                                 name=name or authority), AS_OF)
    marts = load_marts(export, b"k")
    publish_load(engine, authority, marts, export.load_id, AS_OF)


@pytest.fixture(scope="module")
def engine(tmp_path_factory, messy_export):
    """LA1 from the 903 export (no IRO-service tables), LA2 from a CareFirst export (all)."""
    folder = tmp_path_factory.mktemp("annual")
    engine = make_engine(f"sqlite:///{folder / 'marts.db'}")
    _publish(engine, "LA1", "ssda903", messy_export)
    write_export("carefirst", generate(300, as_of=AS_OF, seed=3), folder / "cf")
    _publish(engine, "LA2", "carefirst", folder / "cf", name="Anyshire")
    return engine


@pytest.fixture(scope="module")
def report(engine, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "LA2_2014.xlsx"
    return load_workbook(write_annual_report(engine, "LA2", 2014, path))


def _find(sheet, value) -> tuple[int, int]:
    """Row and column of the first cell holding ``value``."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell.row, cell.column
    raise AssertionError(f"{value!r} not on {sheet.title}")


def _below(sheet, header: str) -> object:
    row, col = _find(sheet, header)
    return sheet.cell(row=row + 1, column=col).value


def _texts(sheet) -> list[str]:
    return [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


def test_sheets_in_report_order(report):
    assert report.sheetnames == SHEETS


def test_cover_names_the_authority_and_the_back_page_the_load(report, engine):
    cover = report["Cover"]
    texts = _texts(cover)
    assert "Anyshire" in texts and "2013/14" in texts and "2014-03-31" in texts
    summary = read_mart(engine, "load_summary", "LA2")
    load_id = summary["load_id"].iloc[0]
    # No mart names or load hashes in the body of the report: they are on the back page.
    for name in SHEETS[:-1]:
        body = " ".join(_texts(report[name]))
        assert load_id not in body and "published mart" not in body, name
        assert "review_timeliness_indicator" not in body, name
    back = _texts(report["About these figures"])
    assert load_id in back and any("come from the marts published for LA2" in t for t in back)
    assert "review_timeliness_indicator" in back


def test_each_section_opens_with_its_figures_in_words(report, engine):
    timeliness = read_mart(engine, "review_timeliness_indicator", "LA2").set_index("year_ending")
    now, before = timeliness.loc[2014], timeliness.loc[2013]
    direction = "up" if now["percent"] > before["percent"] else "down"
    assert report["Timeliness"]["A3"].value == (
        f"{now['reviewed_on_time']:,} of the {now['cohort']:,} children looked after for 28 days "
        f"or more at 31 March ({now['percent']:.1f}%) had every review in 2013/14 on time, "
        f"{direction} from {before['percent']:.1f}% the year before.")
    population = read_mart(engine, "lac_population", "LA2").groupby("year_ending")["children"].sum()
    assert report["Population"]["A3"].value.startswith(
        f"{population[2014]:,} children were looked after at 31 March 2014")
    assert "IRO Handbook's 50-70" in report["Workforce"]["A3"].value


def test_trends_start_at_the_first_year_with_a_cohort_big_enough(engine, tmp_path):
    cohorts = read_mart(engine, "review_timeliness_indicator", "LA2").set_index("year_ending")
    first = int(cohorts.index[cohorts["cohort"] >= 20].min())
    assert cohorts.index.min() < first  # the synthetic history starts small
    book = load_workbook(write_annual_report(engine, "LA2", 2014, tmp_path / "t.xlsx"))
    header = [c.value for c in next(r for r in book["Trends"].iter_rows() if r[0].value
                                    == "Measure")]
    assert header[1] == f"{first - 1}/{first % 100:02d}"
    everything = load_workbook(write_annual_report(engine, "LA2", 2014, tmp_path / "a.xlsx",
                                                   min_cohort=0))
    header = [c.value for c in next(r for r in everything["Trends"].iter_rows()
                                    if r[0].value == "Measure")]
    first_year = int(cohorts.index.min())
    assert header[1] == f"{first_year - 1}/{first_year % 100:02d}"


def test_tables_equal_the_marts(report, engine):
    timeliness = read_mart(engine, "review_timeliness_indicator", "LA2").set_index("year_ending")
    sheet = report["Timeliness"]
    assert _below(sheet, "Cohort") == timeliness.loc[2014, "cohort"]
    assert _below(sheet, "Reviewed on time") == timeliness.loc[2014, "reviewed_on_time"]
    assert sheet.cell(*_find(sheet, "Percent")).offset(1, 0).number_format == '0.0"%"'

    population = read_mart(engine, "lac_population", "LA2")
    sheet = report["Population"]
    _, total_col = _find(sheet, "Total")  # the grid's header comes first, its totals row after
    total_row = next(c.row for c in sheet["A"] if c.value == "Total")
    assert sheet.cell(row=total_row, column=total_col).value == population.loc[
        population["year_ending"] == 2014, "children"].sum()
    assert sheet.freeze_panes is not None

    disputes = read_mart(engine, "disputes_by_stage", "LA2")
    sheet = report["Disputes"]
    row, _ = _find(sheet, "Total")
    assert sheet.cell(row=row, column=2).value == disputes.loc[disputes["year_ending"] == 2014,
                                                               "raised"].sum()

    workforce = read_mart(engine, "iro_workforce", "LA2").set_index("year_ending")
    sheet = report["Workforce"]
    row, _ = _find(sheet, "FTE on the IRO role")
    assert sheet.cell(row=row, column=2).value == pytest.approx(workforce.loc[2014, "iro_fte"])


def test_charts_where_the_reports_have_them(report):
    expected = {"Population": [BarChart], "Timeliness": [LineChart], "Participation": [BarChart],
                "Parental participation": [BarChart], "Quality checklist": [PieChart, PieChart],
                "Trends": [LineChart, LineChart]}
    for name in SHEETS:
        kinds = [type(chart) for chart in report[name]._charts]
        assert kinds == expected.get(name, []), name
    stacked = report["Parental participation"]._charts[0]
    assert stacked.grouping == "stacked"


def test_every_section_prints_one_page_wide_in_landscape(report):
    for sheet in report.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title


def test_lines_are_straight_and_percent_axes_run_from_0_to_100(report):
    timeliness = report["Timeliness"]._charts[0]
    counts, percents = report["Trends"]._charts
    for chart in (timeliness, counts, percents):
        assert chart.series and not any(series.smooth for series in chart.series)
    for chart in (timeliness, percents, report["Participation"]._charts[0]):
        assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == (0, 100)
    assert counts.y_axis.scaling.max is None


def test_rag_slices_are_green_amber_and_red(report):
    sheet = report["Quality checklist"]
    assert len(sheet._charts) == 2
    for pie in sheet._charts:
        series = pie.series[0]
        colours = [point.graphicalProperties.solidFill.srgbClr for point in series.dPt]
        # The table lists green, amber, red in that order; the slices follow it.
        assert colours == ["2E7D32", "F9A825", "C62828"]


def test_a_year_without_data_says_so_on_every_sheet(engine, tmp_path):
    book = load_workbook(write_annual_report(engine, "LA2", 2005, tmp_path / "2005.xlsx"))
    assert book.sheetnames == SHEETS
    for name in SHEETS[1:-1]:
        assert any(t.startswith("No data for 2004/05") for t in _texts(book[name])), name
        assert not book[name]._charts, name
    assert any("no data for 2004/05" in t for t in _texts(book["Cover"]))


def test_an_export_without_iro_tables_still_writes_every_sheet(engine, tmp_path):
    book = load_workbook(write_annual_report(engine, "LA1", 2013, tmp_path / "la1.xlsx"))
    assert book.sheetnames == SHEETS
    assert _find(book["Population"], "Age band")
    # A 903 return holds no IRO-service records: said so, instead of tables of zeros.
    for sheet, what in (("Parental participation", "who took part in each review"),
                        ("Quality checklist", "the IRO's review records (checklist, RAG rating)"),
                        ("Workforce", "the IROs' posts and hours"),
                        ("Disputes", "the IROs' dispute resolution log")):
        assert not book[sheet]._charts
        assert _texts(book[sheet])[2:] == [f"Not recorded in this system: its export does not "
                                           f"include {what}."], sheet


def test_nothing_published_is_a_lookup_error(engine, tmp_path):
    with pytest.raises(LookupError, match="LA9"):
        write_annual_report(engine, "LA9", 2014, tmp_path / "none.xlsx")


def test_a_pdf_beside_the_workbook_reads_as_the_report(engine, tmp_path):
    """Rendered, read back: a cover naming the authority, a page per section with its figures
    in words, and the back page; a 903-only authority's IRO sections say not recorded."""
    from pypdf import PdfReader

    write_annual_report(engine, "LA2", 2014, tmp_path / "LA2.xlsx")
    pages = PdfReader(tmp_path / "LA2.pdf").pages
    assert len(pages) == 1 + 8 + 1
    first = pages[0].extract_text()
    assert "Independent Reviewing Officer service: annual report" in first
    assert "Anyshire, year ending 31 March 2014 (2013/14)" in first
    timeliness = read_mart(engine, "review_timeliness_indicator", "LA2").set_index("year_ending")
    text = pages[2].extract_text()
    assert text.startswith("Timeliness, 2013/14")
    assert f"{timeliness.loc[2014, 'reviewed_on_time']:,} of the " in text
    assert "About these figures" in pages[-1].extract_text()

    write_annual_report(engine, "LA1", 2013, tmp_path / "LA1.xlsx")
    texts = [page.extract_text() for page in PdfReader(tmp_path / "LA1.pdf").pages]
    assert sum("Not recorded in this system." in t for t in texts) == 4


def _back_page_load(path: Path) -> str:
    """The load the report's back page names."""
    sheet = load_workbook(path)["About these figures"]
    row, col = _find(sheet, "Load")
    return sheet.cell(row=row, column=col + 1).value


def test_the_nightly_report_is_rewritten_only_when_its_figures_change(tmp_path, db_url):
    """A later night's load of the same export (new load id and as-of date, a new year in
    progress) leaves 2013/14's report as it was, naming the load that gave its figures; a
    load whose 2013/14 figures differ rewrites it."""
    engine = make_engine(db_url)
    write_export("carefirst", generate(120, as_of=AS_OF, seed=3), tmp_path / "cf")
    write_export("carefirst", generate(150, as_of=AS_OF, seed=4), tmp_path / "other")

    def night(folder: Path, as_of: str) -> str:
        export = read_export(Authority.ad_hoc("LA2", "carefirst", folder), pd.Timestamp(as_of))
        publish_load(engine, "LA2", load_marts(export, b"k"), export.load_id, export.as_of)
        return export.load_id

    first = night(tmp_path / "cf", "2014-03-31")
    path = write_latest_annual_report(engine, "LA2", tmp_path / "reports")
    assert path.name == "annual_report_2014.xlsx" and _back_page_load(path) == first
    written = (path.stat().st_mtime_ns, path.with_suffix(".pdf").stat().st_mtime_ns)

    later = night(tmp_path / "cf", "2014-04-10")
    assert later != first
    assert write_latest_annual_report(engine, "LA2", tmp_path / "reports") == path
    assert (path.stat().st_mtime_ns, path.with_suffix(".pdf").stat().st_mtime_ns) == written
    assert _back_page_load(path) == first

    changed = night(tmp_path / "other", "2014-04-11")
    write_latest_annual_report(engine, "LA2", tmp_path / "reports")
    assert _back_page_load(path) == changed
    # Removed, the PDF is written again though the figures are the same.
    path.with_suffix(".pdf").unlink()
    write_latest_annual_report(engine, "LA2", tmp_path / "reports")
    assert path.with_suffix(".pdf").exists()


def test_the_same_figures_in_another_row_order_are_the_same_report(engine):
    """A database returns a mart's rows in the order its pages hold them, which changes as
    loads replace them (PostgreSQL reuses the space of deleted rows): the same rows in
    another order are the same figures, so the nightly report is not rewritten; a changed
    count is not."""
    data = read_report_data(engine, "LA2", 2014)
    rng = np.random.default_rng(0)
    shuffled = {name: frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
                for name, frame in data.marts.items()}
    assert any(len(frame) > 1 for frame in shuffled.values())
    assert replace(data, marts=shuffled).figures_digest() == data.figures_digest()

    population = shuffled["lac_population"].copy()
    row = population.index[population["year_ending"] == 2014][0]
    population.loc[row, "children"] += 1
    assert replace(data, marts={**shuffled, "lac_population": population}
                   ).figures_digest() != data.figures_digest()


def test_rows_are_listed_as_the_marts_are_built_whatever_order_the_database_gives(tmp_path):
    """The report lists a mart's rows in the order the rules build them, not in the order a
    database returns them (on PostgreSQL that changes as loads replace rows): the built
    marts shuffled give the same tables, and the same sheets cell for cell."""
    write_export("carefirst", generate(300, as_of=AS_OF, seed=3), tmp_path / "cf")
    export = read_export(Authority.ad_hoc("LA2", "carefirst", tmp_path / "cf"), AS_OF)
    built = {name: frame.reset_index(drop=True)
             for name, frame in load_marts(export, b"k").items()}
    data = ReportData("LA2", 2014, export.load_id, AS_OF, built)
    rng = np.random.default_rng(1)
    shuffled = ReportData("LA2", 2014, export.load_id, AS_OF,
                          {name: frame.iloc[rng.permutation(len(frame))]
                           for name, frame in built.items()})
    listed = ["participation_indicator", "parental_participation", "review_quality",
              "rag_distribution", "disputes_by_stage", "population_breakdowns"]
    assert all(len(shuffled.for_year(name)) > 2 for name in listed)
    for name in listed:
        pd.testing.assert_frame_equal(data.marts[name], built[name])
        pd.testing.assert_frame_equal(shuffled.marts[name], built[name])
    books = [load_workbook(write_report(d, tmp_path / f"{i}.xlsx"))
             for i, d in enumerate((data, shuffled))]
    for sheet in ("Population", "Participation", "Parental participation", "Quality checklist",
                  "Disputes"):
        cells = [[[c.value for c in row] for row in book[sheet].iter_rows()] for book in books]
        assert cells[0] == cells[1], sheet


def test_a_policys_distance_and_stability_categories_are_listed_in_their_built_order():
    """Placed at a distance beyond 12.5 miles and stable after 18 months: the categories
    name the policy's numbers, and are listed as built (far, near, not known; stable, not),
    not alphabetically or as the database returns them."""
    rows = [("placement stability", "placement under 1.5 years"),
            ("placement distance", "not known"),
            ("placement distance", "12.5 miles or less"),
            ("placement stability", "same placement 1.5+ years"),
            ("placement distance", "over 12.5 miles"),
            ("placement distance", "unheard of")]
    frame = pd.DataFrame(rows, columns=["breakdown", "category"]).assign(
        authority="LA2", year_ending=2014, children=1, denominator=4, percent=25.0)
    data = ReportData("LA2", 2014, "load", AS_OF, {"population_breakdowns": frame})
    listed = data.marts["population_breakdowns"]
    assert list(zip(listed["breakdown"], listed["category"], strict=True)) == [
        ("placement distance", "over 12.5 miles"),
        ("placement distance", "12.5 miles or less"),
        ("placement distance", "not known"),
        ("placement distance", "unheard of"),
        ("placement stability", "same placement 1.5+ years"),
        ("placement stability", "placement under 1.5 years")]
