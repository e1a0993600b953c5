"""The bad-input corpus: each kind of broken export, made from a good one, with its outcome.

Every case takes a copy of a good export (an SSDA903 return, or a CareFirst workbook for
the Excel cases) and breaks it one way, as exports really arrive broken. Its expectation
says which failure rules must be recorded and whether the publish guard holds the load.
Run as a script to write the whole corpus to a folder for probing by hand:

    python tests/corpus/corpus.py OUT_DIR
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export
from iro_testdata.writers.ssda903 import write_xml_export

AS_OF = pd.Timestamp("2014-03-31")


@dataclass(frozen=True)
class Case:
    name: str
    #: Breaks the export in ``folder`` (a copy of the good one) in place.
    make: Callable[[Path], None]
    #: Failure rules that must be among the load's failures.
    rules: frozenset[str] = frozenset()
    #: The publish guard holds the load back (the previous marts stay).
    held: bool = False
    system: str = "ssda903"
    #: Which good export to start from: "csv", "xml" or "workbook".
    base: str = "csv"
    #: Extra assertions on (validated tables, failures frame).
    check: Callable | None = field(default=None, compare=False)


# --- editing CSV tables -------------------------------------------------------------------

def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8", newline: str = "\n"
           ) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def _edit(table: str, edit: Callable[[list[list[str]]], None]) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        path = folder / f"{table}.csv"
        rows = _rows(path)
        edit(rows)
        _write(path, rows)
    return make


def _cell(table: str, column: str, row: int, value: str) -> Callable[[Path], None]:
    """Set one cell (``row`` counts data rows from 1)."""
    def edit(rows):
        rows[row][rows[0].index(column)] = value
    return _edit(table, edit)


def _text(table: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return make


def _rename_header(table: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(rows):
        rows[0][rows[0].index(old)] = new
    return _edit(table, edit)


def _drop_column(table: str, column: str) -> Callable[[Path], None]:
    def edit(rows):
        j = rows[0].index(column)
        for r in rows:
            del r[j]
    return _edit(table, edit)


def _unterminated(folder: Path) -> None:
    lines = (folder / "episodes.csv").read_text().splitlines(keepends=True)
    lines[10] = lines[10].replace(",", ',"', 1)
    (folder / "episodes.csv").write_text("".join(lines))


def _reencode(table: str, encoding: str, text_change: Callable[[str], str] = str
              ) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(text_change(path.read_text(encoding="utf-8")).encode(encoding))
    return make


def _accented(text: str) -> str:
    # A Windows-1252 export: a pound sign and an accented letter in a free-text column.
    lines = text.splitlines(keepends=True)
    lines[0] = lines[0].rstrip("\n") + ",NOTE\n"
    lines[1:] = [line.rstrip("\n") + ",Zoë £5\n" for line in lines[1:]]
    return "".join(lines)


def _title_rows(text: str) -> str:
    return "Children looked after return 2013-14\nExtracted 01/04/2014\n\n" + text


def _blank_rows(text: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join([*lines[:5], ",,,,\n", "\n", *lines[5:]])


def _mixed_line_endings(text: str) -> str:
    lines = text.splitlines()
    return "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines))


def _reorder(table: str) -> Callable[[Path], None]:
    def edit(rows):
        order = list(reversed(range(len(rows[0]))))
        rows[:] = [[r[j] for j in order] for r in rows]
    return _edit(table, edit)


def _renamed_case(table: str) -> Callable[[Path], None]:
    def edit(rows):
        rows[0] = [f" {h.lower()} " for h in rows[0]]
    return _edit(table, edit)


def _padded_ids(table: str) -> Callable[[Path], None]:
    def edit(rows):
        for r in rows[1:]:
            r[0] = f"  {r[0]} "
    return _edit(table, edit)


def _extra_columns(count: int) -> Callable[[Path], None]:
    def edit(rows):
        rows[0] += [f"EXTRA{i}" for i in range(count)]
        for r in rows[1:]:
            r += ["x"] * count
    return _edit("header", edit)


def _ragged(extra: bool) -> Callable[[Path], None]:
    def edit(rows):
        rows[3] = [*rows[3], "stray"] if extra else rows[3][:2]
    return _edit("episodes", edit)


def _duplicate_row(table: str) -> Callable[[Path], None]:
    def edit(rows):
        rows.append(list(rows[1]))
    return _edit(table, edit)


def _orphan_review(folder: Path) -> None:
    rows = _rows(folder / "reviews.csv")
    rows.append(["9999999", "01/01/2005", "01/06/2013", "PN1"])
    _write(folder / "reviews.csv", rows)


def _duplicate_header_column(folder: Path) -> None:
    # Two DOB columns and no SEX: the header is named twice, a required column is lost.
    _rename_header("header", "SEX", "DOB")(folder)


def _rec_without_dec(folder: Path) -> None:
    rows = _rows(folder / "episodes.csv")
    head = rows[0]
    open_ = next(i for i, r in enumerate(rows[1:], 1) if not r[head.index("DEC")])
    rows[open_][head.index("REC")] = "E11"
    _write(folder / "episodes.csv", rows)


def _ends_before_start(folder: Path) -> None:
    rows = _rows(folder / "episodes.csv")
    head = rows[0]
    closed = next(i for i, r in enumerate(rows[1:], 1) if r[head.index("DEC")])
    rows[closed][head.index("DEC")] = "01/01/2000"
    _write(folder / "episodes.csv", rows)


def _review_before_birth(folder: Path) -> None:
    _cell("reviews", "REVIEW", 2, "01/01/1991")(folder)


def _redate(table: str, column: str, render: Callable[[pd.Timestamp], str]
            ) -> Callable[[Path], None]:
    """Every date of one column written another way (the good export writes dd/mm/yyyy)."""
    def edit(rows):
        j = rows[0].index(column)
        for r in rows[1:]:
            r[j] = render(pd.to_datetime(r[j], format="%d/%m/%Y"))
    return _edit(table, edit)


def _huge_cell(folder: Path) -> None:
    _cell("episodes", "PLACE", 4, "Q" * 20_000_000)(folder)


def _drop_children(share: float) -> Callable[[Path], None]:
    def edit(rows):
        keep = int((len(rows) - 1) * (1 - share))
        del rows[1 + keep:]
    return _edit("header", edit)


def _nul_bytes(folder: Path) -> None:
    path = folder / "reviews.csv"
    data = path.read_bytes().splitlines(keepends=True)
    data[3] = data[3].replace(b",", b"\x00,", 1)
    path.write_bytes(b"".join(data))


def _other_systems_file(folder: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Client ID", "Gender", "Date of Birth"])
    workbook.save(folder / "LAC_IRO_Report.xlsx")
    (folder / "notes.csv").write_text("Date,Note\n01/04/2013,Called carer\n")


def _truncate_xml(folder: Path) -> None:
    path = folder / "return.xml"
    text = path.read_text()
    path.write_text(text[: len(text) * 3 // 5])


def _xml_entity(folder: Path) -> None:
    path = folder / "return.xml"
    text = path.read_text()
    head, _, body = text.partition("?>")
    path.write_text(f'{head}?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    + body.replace("<CHILDID>", "<CHILDID>&x;", 1))


def _xml_bomb(folder: Path) -> None:
    path = folder / "return.xml"
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    text = path.read_text()
    head, _, body = text.partition("?>")
    path.write_text(f"{head}?><!DOCTYPE r [{entities}]>" + body.replace("<CHILDID>", "<CHILDID>&i;", 1))


def _corrupt_workbook(folder: Path) -> None:
    path = next(folder.glob("*.xlsx"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _workbook_numbers_as_text(folder: Path) -> None:
    path = next(folder.glob("*.xlsx"))
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.value = str(cell.value)
    workbook.save(path)


def _workbook_sheet_renamed(folder: Path) -> None:
    path = next(folder.glob("*.xlsx"))
    workbook = openpyxl.load_workbook(path)
    workbook.worksheets[0].title = "Sheet1"
    workbook.save(path)


def _workbook_missing_sheet(folder: Path) -> None:
    path = next(folder.glob("*.xlsx"))
    workbook = openpyxl.load_workbook(path)
    del workbook["LAC Reviews"]
    workbook.save(path)


def _no_reviews(folder: Path) -> None:
    (folder / "reviews.csv").unlink()


def _rows_conserved_only(_validated, _failures) -> None:
    """Nothing beyond the checks every case gets."""


def _value_quoted_short(_validated, failures) -> None:
    long = failures["value"].dropna().str.len()
    assert (long <= 500).all()


def _formula_kept_as_text(validated, failures) -> None:
    quoted = failures[failures["value"].fillna("").str.startswith("=HYPERLINK")]
    assert len(quoted) == 1 and quoted["rule"].iloc[0] == "code_list"


CASES: list[Case] = [
    # Structurally broken: the guard holds.
    Case("unterminated_quote", _unterminated, frozenset({"parse_stopped"}), held=True),
    Case("missing_reviews_file", _no_reviews, frozenset({"missing_table"}), held=True),
    Case("missing_episodes_file", lambda f: (f / "episodes.csv").unlink(),
         frozenset({"missing_table"}), held=True),
    Case("empty_episodes_file", lambda f: (f / "episodes.csv").write_text(""),
         frozenset({"empty_file", "missing_table"}), held=True),
    Case("header_only_reviews", _text("reviews", lambda t: t.splitlines(keepends=True)[0]),
         frozenset({"missing_table"}), held=True),
    Case("binary_file", lambda f: (f / "episodes.csv").write_bytes(bytes(range(256)) * 40),
         frozenset({"unrecognised_file", "missing_table"}), held=True),
    Case("empty_folder", lambda f: [p.unlink() for p in f.iterdir()],
         frozenset({"missing_table"}), held=True),
    Case("missing_required_column", _drop_column("episodes", "DECOM"),
         frozenset({"missing_column", "required", "rows_dropped"}), held=True),
    Case("duplicate_header_column", _duplicate_header_column,
         frozenset({"missing_column", "rows_dropped"}), held=True),
    Case("collapse_30_percent", _drop_children(0.3), frozenset({"rows_dropped"}), held=True),
    Case("truncated_xml", _truncate_xml, frozenset({"parse_stopped"}), held=True, base="xml"),
    Case("xml_external_entity", _xml_entity, frozenset({"parse_stopped"}), held=True, base="xml"),
    Case("xml_entity_bomb", _xml_bomb, frozenset({"parse_stopped"}), held=True, base="xml"),
    Case("corrupt_workbook", _corrupt_workbook, frozenset({"unreadable_file", "missing_table"}),
         held=True, system="carefirst", base="workbook"),
    Case("workbook_missing_sheet", _workbook_missing_sheet, frozenset({"missing_table"}),
         held=True, system="carefirst", base="workbook"),
    # Read whole, published: what is wrong is in the failures, row by row.
    Case("utf16", _reencode("header", "utf-16")),
    Case("cp1252", _reencode("header", "cp1252", _accented), frozenset({"not_utf8"})),
    Case("utf8_bom", _reencode("header", "utf-8-sig")),
    Case("mixed_line_endings", _text("episodes", _mixed_line_endings)),
    Case("title_rows", _text("header", _title_rows)),
    Case("blank_rows", _text("episodes", _blank_rows), frozenset({"blank_row"})),
    Case("renamed_headers_case_and_spaces", _renamed_case("episodes")),
    Case("reordered_columns", _reorder("reviews")),
    Case("padded_ids", _padded_ids("reviews")),
    Case("five_thousand_columns", _extra_columns(5000)),
    Case("ragged_row_extra_cell", _ragged(extra=True), frozenset({"bad_row_shape"})),
    Case("ragged_row_short", _ragged(extra=False), frozenset({"bad_row_shape"})),
    Case("two_digit_years", _cell("reviews", "REVIEW", 3, "05/06/13"), frozenset({"date_format"})),
    Case("us_date", _cell("reviews", "REVIEW", 3, "12/31/2013"), frozenset({"date_format"})),
    Case("impossible_date", _cell("episodes", "DECOM", 2, "31/02/2013"),
         frozenset({"date_format"})),
    Case("date_before_1990", _cell("header", "DOB", 2, "01/01/1890"), frozenset({"date_range"})),
    Case("excel_serial_dates", _redate("reviews", "REVIEW",
                                       lambda d: str((d - pd.Timestamp("1899-12-30")).days))),
    Case("iso_datetimes", _redate("episodes", "DECOM", lambda d: f"{d:%Y-%m-%d} 00:00:00")),
    Case("text_months", _redate("header", "DOB", lambda d: f"{d:%d %b %Y}")),
    Case("unknown_code", _cell("episodes", "LS", 2, "Z9"), frozenset({"code_list"})),
    Case("rec_without_dec", _rec_without_dec, frozenset({"reason_without_end"})),
    Case("episode_ends_before_start", _ends_before_start,
         frozenset({"episode_ends_before_start"})),
    Case("duplicate_child", _duplicate_row("header"), frozenset({"duplicate_child"})),
    Case("duplicate_review", _duplicate_row("reviews"), frozenset({"duplicate_review"})),
    Case("review_of_unknown_child", _orphan_review, frozenset({"unknown_child"})),
    Case("review_before_birth", _review_before_birth, frozenset({"review_before_birth"})),
    Case("sql_looking_value", _cell("episodes", "PLACE", 2, "'; DROP TABLE episodes; --"),
         frozenset({"code_list"})),
    Case("formula_in_a_cell", _cell("episodes", "PLACE", 2, '=HYPERLINK("http://x","y")'),
         frozenset({"code_list"}), check=_formula_kept_as_text),
    Case("huge_cell_20mb", _huge_cell, frozenset({"code_list"}), check=_value_quoted_short),
    Case("nul_bytes", _nul_bytes, frozenset(), check=_rows_conserved_only),
    Case("another_systems_files_beside", _other_systems_file, frozenset({"unrecognised_file"})),
    Case("small_drop_publishes", _drop_children(0.1)),
    Case("workbook_numbers_as_text", _workbook_numbers_as_text, system="carefirst",
         base="workbook"),
    Case("workbook_sheet_renamed", _workbook_sheet_renamed, system="carefirst",
         base="workbook"),
]


def write_bases(root: Path, children: int = 150, seed: int = 31) -> dict[str, Path]:
    """The good exports every case starts from: 903 CSV tables, the 903 XML, a CareFirst workbook."""
    truth = generate(children, as_of=AS_OF, seed=seed)
    bases = {"csv": root / "csv", "xml": root / "xml", "workbook": root / "workbook"}
    write_export("ssda903", truth, bases["csv"])
    bases["xml"].mkdir(parents=True, exist_ok=True)
    write_xml_export(truth, bases["xml"] / "return.xml")
    write_export("carefirst", truth, bases["workbook"])
    return bases


def build(case: Case, bases: dict[str, Path], dest: Path) -> Path:
    """A copy of the case's good export, broken as the case says."""
    shutil.copytree(bases[case.base], dest)
    case.make(dest)
    return dest


if __name__ == "__main__":
    out = Path(sys.argv[1])
    made = write_bases(out / "_good")
    for case in CASES:
        build(case, made, out / case.name)
    print(f"{len(CASES)} broken exports under {out}")
