"""Synthetic SSDA903 exports: the ground truth as the DfE's CSV tables or the XML form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from iro_plugin_ssda903.tables import CSV_NAMES, tables_of
from iro_plugin_ssda903.xml_form import OTHER_SECTIONS

from iro_testdata.synthetic import DefectLedger, text_tables, write_csv

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

#: The XML element of each of the return's other tables (the DoLo table has none yet).
_XML_SECTIONS = {table: element for element, table in OTHER_SECTIONS.items()}

FILE_NAMES = {"children": "header.csv", "episodes": "episodes.csv", "reviews": "reviews.csv"}


def write_csv_export(truth: GroundTruth, dest: Path) -> list[Path]:
    """header.csv, episodes.csv and reviews.csv in ``dest``, with the truth's defects."""
    dest.mkdir(parents=True, exist_ok=True)
    tables, ledger = text_tables(truth, "%d/%m/%Y")
    paths = []
    for table, file_name in FILE_NAMES.items():
        frame = tables[table].rename(columns=CSV_NAMES[table])
        if table == "reviews":
            dob = truth.children.set_index("child_id")["dob"].dt.strftime("%d/%m/%Y")
            frame.insert(1, "DOB", frame["CHILD"].str.strip().map(dob))
        blanks = ledger.counts["blank_rows"] if table == "reviews" else 0
        paths.append(write_csv(dest / file_name, frame, blank_rows=blanks))
    return paths


def _other_tables(truth: GroundTruth, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The return's tables no mart reads, for some of the truth's children, as the DfE lays
    them out (values plausible, not modelled: only their headers matter here)."""
    kids = truth.children.sample(frac=0.3, random_state=rng.integers(1 << 31))
    child = kids["child_id"].astype(str).to_numpy()
    dob = kids["dob"].dt.strftime("%d/%m/%Y").to_numpy()
    n = len(kids)

    def dates(start: str) -> np.ndarray:
        days = rng.integers(0, 700, n)
        return (pd.Timestamp(start) + pd.to_timedelta(days, unit="D")).strftime("%d/%m/%Y")

    blank = np.full(n, "", dtype=object)
    return {
        "uasc": pd.DataFrame({"CHILD": child, "SEX": kids["sex"].to_numpy(), "DOB": dob,
                              "DUC": dates("2030-01-01")}),
        "oc2": pd.DataFrame({"CHILD": child, "DOB": dob, "SDQ_SCORE": rng.integers(0, 40, n),
                             "SDQ_REASON": blank, "CONVICTED": rng.integers(0, 2, n),
                             "HEALTH_CHECK": 1, "IMMUNISATIONS": 1, "TEETH_CHECK": 1,
                             "HEALTH_ASSESSMENT": 1, "SUBSTANCE_MISUSE": 0,
                             "INTERVENTION_RECEIVED": blank, "INTERVENTION_OFFERED": blank}),
        "oc3": pd.DataFrame({"CHILD": child, "DOB": dob, "IN_TOUCH": "YES", "ACTIV": "F1",
                             "ACCOM": "S"}),
        "ad1": pd.DataFrame({"CHILD": child, "DOB": dob, "DATE_INT": dates("2012-01-01"),
                             "DATE_MATCH": dates("2012-06-01"), "FOSTER_CARE": 0,
                             "NB_ADOPTR": 2, "SEX_ADOPTR": "MF", "LS_ADOPTR": "L0"}),
        "placed_for_adoption": pd.DataFrame({"CHILD": child, "DOB": dob,
                                             "DATE_PLACED": dates("2012-01-01"),
                                             "DATE_PLACED_CEASED": blank,
                                             "REASON_PLACED_CEASED": blank}),
        "previous_permanence": pd.DataFrame({"CHILD": child, "DOB": dob, "PREV_PERM": "Z1",
                                             "LA_PERM": blank, "DATE_PERM": blank}),
        "missing": pd.DataFrame({"CHILD": child, "DOB": dob, "MISSING": "M",
                                 "MIS_START": dates("2013-04-01"), "MIS_END": blank}),
        "sw_episodes": pd.DataFrame({"CHILD": child, "DOB": dob,
                                     "SW_ID": [f"SW{i:04d}" for i in rng.integers(0, 50, n)],
                                     "SW_DECOM": dates("2012-01-01"), "SW_DEC": blank,
                                     "SW_REASON": blank}),
        "dolo": pd.DataFrame({"CHILD": child, "DOB": dob, "DOLO_START": dates("2012-01-01"),
                              "DOLO_END": blank}),
    }


def write_full_return(truth: GroundTruth, dest: Path, seed: int = 0,
                      year: int | None = None) -> list[Path]:
    """The whole return as the DfE's CSV tables: the three the marts read and every other
    the return for the year ending 31 March ``year`` has (every one, without a year)."""
    paths = write_csv_export(truth, dest)
    others = _other_tables(truth, np.random.default_rng(seed))
    for table in tables_of(year or 9999):
        path = dest / f"{table}.csv"
        others[table].to_csv(path, index=False)
        paths.append(path)
    return paths


def return_of(truth: GroundTruth, year: int) -> GroundTruth:
    """The truth as the return for the year ending 31 March ``year`` was made: the episodes
    open at some time in the year (one still open then has no end yet), the reviews held in
    it and the children they belong to."""
    start, end = pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
    ep = truth.episodes
    ep = ep[(ep["decom"] <= end) & (ep["dec"].isna() | (ep["dec"] >= start))].copy()
    later = ep["dec"] > end
    ep.loc[later, "dec"] = pd.NaT
    ep.loc[later, "rec"] = None
    reviews = truth.reviews[truth.reviews["review_date"].between(start, end)]
    children = truth.children[truth.children["child_id"].isin(ep["child_id"])]
    return replace(truth, children=children, episodes=ep,
                   reviews=reviews[reviews["child_id"].isin(children["child_id"])])


@dataclass
class ReturnsLedger:
    """What :func:`write_returns` wrote, per collection year (ending 31 March)."""

    #: The file or folder of each year's return.
    paths: dict[int, Path] = field(default_factory=dict)
    #: Rows written per table (the three the marts read and the others).
    rows: dict[int, dict[str, int]] = field(default_factory=dict)
    #: Episodes left open in the previous year's return that this one restates (closed or
    #: still open): what reading them together must not count twice.
    restated: dict[int, int] = field(default_factory=dict)
    #: Defects injected into each year's text (the truth's defect_rate).
    defects: dict[int, DefectLedger] = field(default_factory=dict)


def write_returns(truth: GroundTruth, dest: Path, years: list[int], *, form: str = "csv",
                  seed: int = 0) -> ReturnsLedger:
    """Each year's whole return, cut from one truth as the authority submitted it that year:
    a folder of CSV tables (``form="csv"``, dest/<year>/) or one XML file (dest/<year>.xml),
    with every table that year's return has."""
    ledger = ReturnsLedger()
    previous = None
    for year in sorted(years):
        cut = return_of(truth, year)
        rng = np.random.default_rng(seed + year)
        others = {t: f for t, f in _other_tables(cut, rng).items() if t in tables_of(year)}
        if form == "csv":
            ledger.paths[year] = dest / str(year)
            write_full_return(cut, dest / str(year), seed=seed + year, year=year)
        else:
            ledger.paths[year] = write_xml_export(cut, dest / f"{year}.xml", others)
        _, ledger.defects[year] = text_tables(cut)
        ledger.rows[year] = {"children": len(cut.children), "episodes": len(cut.episodes),
                             "reviews": len(cut.reviews), **{t: len(f) for t, f in others.items()}}
        if previous is not None:
            left_open = previous.episodes[previous.episodes["dec"].isna()]
            ledger.restated[year] = int(left_open.merge(cut.episodes, on=["child_id", "decom"])
                                        .shape[0])
        previous = cut
    return ledger


def _section(element: str, row: pd.Series) -> str:
    """One of the return's other tables' rows as its XML element (CHILD, SEX and DOB are the
    header's)."""
    fields = "".join(f"<{col}>{escape(str(value))}</{col}>" for col, value in row.items()
                     if col not in ("CHILD", "SEX", "DOB") and str(value) != "")
    return f"<{element}>{fields}</{element}>"


def write_xml_export(truth: GroundTruth, path: Path,
                     others: Mapping[str, pd.DataFrame] | None = None) -> Path:
    """The truth as one 903 XML file (root EXPSSDA903), dates in ISO form; ``others``: the
    return's other tables (as :func:`_other_tables` lays them out) written as sections of
    each child's header."""
    tables, _ = text_tables(truth, "%Y-%m-%d")
    sections = {table: frame.groupby("CHILD") for table, frame in (others or {}).items()
                if table in _XML_SECTIONS}
    episodes = tables["episodes"].groupby(tables["episodes"]["child_id"].str.strip())
    reviews = tables["reviews"].groupby(tables["reviews"]["child_id"].str.strip())
    ep_tags = {"decom": "DECOM", "rne": "RNE", "ls": "LS", "cin": "CIN", "place": "PL",
               "pl_post": "PL_POST", "home_post": "HOME_POST", "urn": "URN",
               "place_provider": "PLACE_PROVIDER", "dec": "DEC", "rec": "REC",
               "reason_place_change": "REASON_PLACE_CHANGE", "pl_distance": "PL_DISTANCE",
               "pl_location": "PL_LOCATION"}

    def element(tag: str, value) -> str:
        return "" if value is None or pd.isna(value) else f"<{tag}>{escape(str(value))}</{tag}>"

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>\n')
        for child in tables["children"].itertuples(index=False):
            key = str(child.child_id).strip()
            fh.write("<CHILD>\n<HEADER>")
            fh.write("".join(element(tag, getattr(child, col)) for col, tag in
                             (("child_id", "CHILDID"), ("upn", "UPN"), ("sex", "SEX"),
                              ("dob", "DOB"), ("ethnic", "ETHNIC"))))
            if key in reviews.groups:
                for review in reviews.get_group(key).itertuples(index=False):
                    fh.write("\n<AREVIEW>" + element("REVIEW", review.review_date)
                             + element("REVIEW_CODE", review.review_code) + "</AREVIEW>")
            for table, groups in sections.items():
                if key in groups.groups:
                    fh.write("".join(_section(_XML_SECTIONS[table], row)
                                     for _, row in groups.get_group(key).iterrows()))
            fh.write("</HEADER>\n")
            if key in episodes.groups:
                for episode in episodes.get_group(key).itertuples(index=False):
                    fh.write("<EPISODE>" + "".join(element(tag, getattr(episode, col))
                                                   for col, tag in ep_tags.items())
                             + "</EPISODE>\n")
            fh.write("</CHILD>\n")
        fh.write("</EXPSSDA903>\n")
    return path


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    """The DfE's three CSV tables (the XML form: :func:`write_xml_export`)."""
    return write_csv_export(truth, dest)
