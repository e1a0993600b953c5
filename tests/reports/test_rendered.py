"""The workbooks as they print: rendered to PDF by LibreOffice (headless, Debian's package,
installed if missing), their pages counted and their first page read."""

import subprocess
from pathlib import Path

import pytest
from conftest import AS_OF, load_marts
from debian import apt_binary
from iro_etl.config import Authority
from iro_etl.marts.publish import make_engine, publish_load
from iro_etl.pipeline import read_export
from iro_etl.reports.annual_report import write_annual_report
from iro_etl.reports.latest import write_latest_failures_workbook
from pypdf import PdfReader

SOFFICE = (Path("/usr/bin/soffice"), Path("/usr/bin/libreoffice"))


@pytest.fixture(scope="module")
def soffice() -> Path:
    return apt_binary("libreoffice-calc-nogui", SOFFICE)


@pytest.fixture(scope="module")
def published(tmp_path_factory, messy_export):
    folder = tmp_path_factory.mktemp("rendered")
    engine = make_engine(f"sqlite:///{folder / 'marts.db'}")
    export = read_export(Authority.ad_hoc("LA1", "ssda903", messy_export), AS_OF)
    publish_load(engine, "LA1", load_marts(export, b"k"), export.load_id, AS_OF)
    return engine, folder


def _render(soffice: Path, workbook: Path) -> list[str]:
    """The workbook printed to PDF as Calc prints it: the text of each page."""
    out = workbook.parent / "pdf"
    subprocess.run([str(soffice), "--headless", "--norestore",
                    f"-env:UserInstallation=file://{workbook.parent / 'lo_profile'}",
                    "--convert-to", "pdf", "--outdir", str(out), str(workbook)],
                   check=True, capture_output=True, timeout=180)
    return [page.extract_text() for page in PdfReader(out / f"{workbook.stem}.pdf").pages]


def test_failures_workbook_prints_one_page_wide_with_its_title_first(soffice, published):
    engine, folder = published
    book = write_latest_failures_workbook(engine, "LA1", folder / "reports")
    pages = _render(soffice, book)
    assert pages[0].startswith("Validation failures: LA1")
    # Summary, then a sheet per table, each one page wide: a handful of pages, not dozens.
    assert 3 <= len(pages) <= 12, len(pages)


def test_annual_report_workbook_prints_a_page_per_section(soffice, published):
    engine, folder = published
    book = write_annual_report(engine, "LA1", 2014, folder / "annual" / "LA1.xlsx")
    pages = _render(soffice, book)
    assert pages[0].startswith("Independent Reviewing Officer service: annual report")
    # Cover, eight sections and the back page; sections with long tables may take two.
    assert 10 <= len(pages) <= 16, len(pages)
