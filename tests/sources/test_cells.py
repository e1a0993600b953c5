"""Column letters of failures, for CSV files and workbook sheets alike."""

import pandas as pd
from iro_etl.sources.cells import column_letters
from openpyxl import Workbook


def test_letters_follow_the_header_in_csv_and_in_sheets(tmp_path):
    (tmp_path / "episodes.csv").write_text("Title row\nCHILD,DECOM,RNE,LS\n1,01/02/2012,S,ZZ\n")
    book = Workbook()
    sheet = book.active
    sheet.title = "Reviews"
    sheet.append(["Report"])
    sheet.append(["Client ID", "Name", "Review Date"])
    book.save(tmp_path / "report.xlsx")
    failures = pd.DataFrame({
        "source_file": ["episodes.csv", "report.xlsx", "db:person", "episodes.csv", None],
        "sheet": [None, "Reviews", None, None, None],
        "column_name": ["LS", "Review Date", "gender", "Nope", "LS"],
    })
    letters = column_letters(failures, [tmp_path / "episodes.csv", tmp_path / "report.xlsx"])
    assert letters.where(letters.notna(), None).tolist() == ["D", "C", None, None, None]
