"""Synthetic SSDA903 exports: the ground truth as the DfE's CSV tables or the XML form."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from iro_plugin_ssda903.tables import CSV_NAMES

from iro_testdata.synthetic import text_tables, write_csv

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

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
    }


def write_full_return(truth: GroundTruth, dest: Path, seed: int = 0) -> list[Path]:
    """The whole return as the DfE's CSV tables: the three the marts read and every other
    (uasc, oc2, oc3, ad1, placed_for_adoption, previous_permanence, missing, sw_episodes)."""
    paths = write_csv_export(truth, dest)
    for table, frame in _other_tables(truth, np.random.default_rng(seed)).items():
        path = dest / f"{table}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths


def write_xml_export(truth: GroundTruth, path: Path) -> Path:
    """The truth as one 903 XML file (root EXPSSDA903), dates in ISO form."""
    tables, _ = text_tables(truth, "%Y-%m-%d")
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
