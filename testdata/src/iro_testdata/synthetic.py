"""Synthetic ground truth: realistic looked-after children, episodes and reviews, generated fast.

One ground truth feeds every system's synthetic exporter (each plugin writes it
in its own shape), so tests and benchmarks load realistic data through the real
readers. Generation is vectorised over children: loops run over a period's
episode or review number, never over children. :func:`text_tables` renders the
truth as export text and injects a configurable share of the defects real
exports carry, keeping a ledger of what it injected.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from iro_etl.rules.calendar import WorkingCalendar, add_months

from iro_testdata.synthetic_iro import iro_tables

_LS_START = (["C1", "C2", "V2", "E1", "L2", "J1", "L1"],
             [0.30, 0.08, 0.45, 0.02, 0.08, 0.03, 0.04])
_LS_LATER = (["C1", "C2", "E1", "V2"], [0.25, 0.50, 0.15, 0.10])
_PLACE = (["U4", "U6", "U5", "U1", "U3", "U2", "K2", "R1", "P1", "H5", "P2", "S1", "R3", "Z1",
           "A4", "A6"],
          [0.30, 0.18, 0.02, 0.10, 0.08, 0.01, 0.10, 0.02, 0.06, 0.04, 0.02, 0.01, 0.01, 0.01,
           0.02, 0.02])
_PLACE_LEGACY = {"U4": "F3", "U6": "F4", "U5": "F5", "U1": "F1", "U3": "F2", "U2": "F1",
                 "K2": "H3", "R1": "H4", "K1": "H1"}
_REC_END = (["E13", "E4A", "E4B", "E11", "E12", "E41", "E45", "E46", "E8", "E3", "E5", "E6"],
            [0.08, 0.30, 0.05, 0.08, 0.04, 0.08, 0.06, 0.05, 0.08, 0.03, 0.08, 0.07])
_REC_AT_18 = (["E17", "E5", "E6", "E8"], [0.2, 0.45, 0.25, 0.10])
_RNE_CHANGE = (["P", "L", "T", "B", "U"], [0.50, 0.25, 0.08, 0.12, 0.05])
_ETHNIC = (["WBRI", "WOTH", "WIRI", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
            "BCRB", "BAFR", "OOTH", "NOBT"],
           [0.74, 0.04, 0.01, 0.04, 0.01, 0.02, 0.03, 0.01, 0.02, 0.01, 0.02, 0.03, 0.01, 0.01])
_PARTICIPATION = (["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"],
                  [0.55, 0.05, 0.06, 0.05, 0.07, 0.17, 0.05])
_DAY = np.timedelta64(1, "D")


@dataclass
class GroundTruth:
    """Typed canonical tables of synthetic children, plus the knobs of their export."""

    children: pd.DataFrame
    episodes: pd.DataFrame
    reviews: pd.DataFrame
    #: The IRO-service tables (notifications, iro_staff, ...), by canonical name.
    iro: dict[str, pd.DataFrame]
    as_of: pd.Timestamp
    defect_rate: float = 0.0
    seed: int = 0
    #: Use the pre-2013 F/H placement codes (historic returns).
    legacy_places: bool = False

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every canonical table, by name."""
        return {"children": self.children, "episodes": self.episodes, "reviews": self.reviews,
                **self.iro}


@dataclass
class DefectLedger:
    """What :func:`text_tables` injected, by table and kind."""

    counts: Counter = field(default_factory=Counter)
    #: Rows (table, position in the written table) carrying an error-level defect.
    bad_rows: dict[str, set[int]] = field(default_factory=dict)


def _choice(rng: np.random.Generator, spec: tuple[list, list], n: int) -> np.ndarray:
    values, weights = spec
    p = np.asarray(weights, dtype=float)
    return rng.choice(np.asarray(values, dtype=object), size=n, p=p / p.sum())


def generate(
    n_children: int,
    *,
    as_of: str | pd.Timestamp = "2014-03-31",
    years: int = 6,
    seed: int = 0,
    late_share: float = 0.015,
    defect_rate: float = 0.0,
    calendar: WorkingCalendar | None = None,
) -> GroundTruth:
    """Children looked after at some point in the ``years`` before ``as_of``."""
    rng = np.random.default_rng(seed)
    calendar = calendar or WorkingCalendar()
    as_of = pd.Timestamp(as_of)
    asof = np.datetime64(as_of.date(), "D")
    window = np.datetime64((as_of - pd.DateOffset(years=years)).date(), "D")

    ids = (rng.permutation(9_000_000)[:n_children] + 1_000_000).astype(str)
    first_start = window + rng.integers(0, (asof - window).astype(int) - 14, n_children) * _DAY
    age_days = rng.integers(0, int(17.5 * 365.25), n_children)
    dob = first_start - age_days * _DAY
    adult = np.array([np.datetime64(pd.Timestamp(d) + pd.DateOffset(years=18), "D")
                      for d in pd.to_datetime(dob)]) if n_children else np.array([], "M8[D]")

    periods = _periods(rng, ids, first_start, adult, asof)
    episodes = _episodes(rng, periods, asof)
    reviews = _reviews(rng, periods, dob_by_child=dict(zip(ids, dob, strict=True)), asof=asof,
                       late_share=late_share, calendar=calendar)
    # A child whose care is only agreed short breaks has no reviews in the 903 (DfE 399).
    only_breaks = periods.groupby("child_id")["short_breaks"].all()
    reviews = reviews[~reviews["child_id"].map(only_breaks).fillna(False).to_numpy(bool)
                      ].reset_index(drop=True)
    children = pd.DataFrame({
        "child_id": ids,
        "sex": rng.choice(np.array(["1", "2"], dtype=object), n_children, p=[0.54, 0.46]),
        "dob": pd.to_datetime(dob).astype("datetime64[us]"),
        "ethnic": _choice(rng, _ETHNIC, n_children),
        "upn": np.where(rng.random(n_children) < 0.7,
                        np.char.add("A", rng.integers(10**11, 10**12, n_children).astype(str)),
                        None),
    })
    iro = iro_tables(seed, children, periods, reviews, as_of, calendar)
    return GroundTruth(children, episodes, reviews, iro, as_of, defect_rate, seed)


def _periods(rng, ids, first_start, adult, asof) -> pd.DataFrame:
    """Up to three periods of care per child, each after the previous one ended."""
    n = len(ids)
    n_periods = rng.choice([1, 2, 3], size=n, p=[0.86, 0.12, 0.02])
    rows = []
    start = first_start.copy()
    alive = np.ones(n, dtype=bool)
    for j in range(3):
        alive &= (n_periods > j) & (start < asof) & (start < adult)
        duration = np.maximum(1, rng.exponential(650, n).astype(int))
        short_breaks = rng.random(n) < 0.03
        end = np.minimum(start + duration * _DAY, adult)
        at_18 = end >= adult
        rec = np.where(at_18, _choice(rng, _REC_AT_18, n), _choice(rng, _REC_END, n))
        open_ = end >= asof
        idx = np.flatnonzero(alive)
        rows.append(pd.DataFrame({
            "child_id": ids[idx], "period_start": start[idx],
            "period_end": np.where(open_[idx], np.datetime64("NaT"), end[idx]),
            "end_rec": np.where(open_[idx], None, rec[idx]),
            "short_breaks": short_breaks[idx], "adult": adult[idx],
        }))
        alive &= ~open_
        start = end + np.maximum(1, rng.exponential(250, n).astype(int)) * _DAY
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["child_id", "period_start"], ignore_index=True)


def _episodes(rng, periods: pd.DataFrame, asof) -> pd.DataFrame:
    """Episodes chaining each period with X1, changing placement and legal status over time."""
    n = len(periods)
    start = periods["period_start"].to_numpy("datetime64[D]")
    stop = periods["period_end"].fillna(pd.Timestamp(asof)).to_numpy("datetime64[D]")
    span = np.maximum((stop - start).astype(int), 1)
    changes = np.minimum(rng.poisson(span / 365.25 * 1.1), np.maximum(span - 1, 0)).clip(0, 8)
    counts = changes + 1
    pid = np.repeat(np.arange(n), counts)
    rank = np.arange(len(pid)) - np.repeat(np.cumsum(counts) - counts, counts)
    # Distinct change days inside the period, sorted: rank 0 is the period start.
    frac = np.where(rank == 0, 0.0, rng.random(len(pid)))
    offset = np.floor(frac * span[pid]).astype(int)
    offset = np.where(rank == 0, 0, np.maximum(offset, 1))
    order = np.lexsort((offset, pid))
    offset = offset[order]
    dup = np.r_[False, (offset[1:] == offset[:-1]) & (pid[1:] == pid[:-1])]
    pid, offset = pid[~dup], offset[~dup]
    rank = np.arange(len(pid)) - np.searchsorted(pid, pid)
    decom = start[pid] + offset * _DAY
    last = np.r_[pid[1:] != pid[:-1], True]
    dec = np.where(last, periods["period_end"].to_numpy("datetime64[D]")[pid],
                   np.r_[decom[1:], decom[:1]])
    rec = np.where(last, periods["end_rec"].to_numpy(object)[pid], "X1")
    m = len(pid)
    rne = np.where(rank == 0, "S", _choice(rng, _RNE_CHANGE, m)).astype(object)
    short = periods["short_breaks"].to_numpy()[pid]
    ls = np.empty(m, dtype=object)
    place = np.empty(m, dtype=object)
    ls_new = np.where(short, "V3", _choice(rng, _LS_START, m))
    ls_later = np.where(short, "V3", _choice(rng, _LS_LATER, m))
    place_new = _choice(rng, _PLACE, m)
    for r in range(int(rank.max()) + 1 if m else 0):
        at = np.flatnonzero(rank == r)
        if r == 0:
            ls[at], place[at] = ls_new[at], place_new[at]
            continue
        prev = at - 1
        legal = np.isin(rne[at], ["L", "B", "U"])
        moves = np.isin(rne[at], ["P", "T", "B", "U"])
        ls[at] = np.where(legal, ls_later[at], ls[prev])
        place[at] = np.where(moves, place_new[at], place[prev])
    # A change that changes nothing is not an episode: call it a placement move.
    same_ls = (rank > 0) & (ls == np.r_[ls[:1], ls[:-1]])
    rne[same_ls & (rne == "L")] = "P"
    distance = np.round(rng.lognormal(1.6, 1.0, m), 1)
    return pd.DataFrame({
        "child_id": periods["child_id"].to_numpy()[pid],
        "decom": pd.to_datetime(decom).astype("datetime64[us]"),
        "rne": rne, "ls": ls,
        "cin": _choice(rng, ([f"N{i}" for i in range(1, 9)],
                             [0.6, 0.03, 0.04, 0.17, 0.02, 0.02, 0.02, 0.1]), m),
        "place": place,
        "place_provider": np.where(np.isin(place, ["P1", "P2", "Z1"]), None,
                                   _choice(rng, (["PR1", "PR2", "PR4"], [0.7, 0.2, 0.1]), m)),
        "dec": pd.to_datetime(dec).astype("datetime64[us]"),
        "rec": rec,
        "reason_place_change": np.where((rank > 0) & np.isin(rne, ["P", "T", "B", "U"]),
                                        _choice(rng, (["CARPL", "CREQB", "CHILD", "LAREQ", "OTHER"],
                                                      [0.5, 0.15, 0.1, 0.15, 0.1]), m), None),
        "home_post": None, "pl_post": None, "urn": None,
        "pl_distance": distance,
        "pl_la": None,
        "pl_location": np.where(distance > 20, "OUT", "IN"),
    })


def _reviews(rng, periods: pd.DataFrame, *, dob_by_child, asof, late_share: float,
             calendar: WorkingCalendar) -> pd.DataFrame:
    """Reviews on the statutory cycle: mostly a little early, a share late."""
    start = periods["period_start"]
    stop = periods["period_end"].fillna(pd.Timestamp(asof))
    active = pd.Series(True, index=periods.index)
    prev = start.copy()
    out = []
    k = 1
    while active.any():
        idx = active[active].index
        if k == 1:
            due = calendar.add_working_days(start[idx].astype("datetime64[us]"), 20)
        else:
            due = add_months(prev[idx], 3 if k == 2 else 6)
        n = len(idx)
        early = rng.integers(0, 15 if k == 1 else 25, n)
        late = rng.random(n) < late_share
        shift = np.where(late, rng.integers(1, 30, n), -early)
        held = due + pd.to_timedelta(shift, unit="D")
        held = held.where(held > prev[idx], due)
        keep = held <= stop[idx]
        out.append(pd.DataFrame({"child_id": periods.loc[idx[keep], "child_id"],
                                 "review_date": held[keep]}))
        prev.loc[idx[keep]] = held[keep]
        active.loc[idx[~keep]] = False
        k += 1
    reviews = pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        {"child_id": [], "review_date": []})
    dob = pd.to_datetime(reviews["child_id"].map(dob_by_child))
    under4 = reviews["review_date"] < dob + pd.DateOffset(years=4)
    codes = _choice(rng, _PARTICIPATION, len(reviews))
    reviews["review_code"] = np.where(under4, "PN0", codes)
    reviews["review_date"] = reviews["review_date"].astype("datetime64[us]")
    return reviews.sort_values(["child_id", "review_date"], ignore_index=True)


def text_tables(
    truth: GroundTruth, date_format: str = "%d/%m/%Y"
) -> tuple[dict[str, pd.DataFrame], DefectLedger]:
    """The truth as export text, with ``truth.defect_rate`` of rows made faulty, and the ledger."""
    rng = np.random.default_rng(truth.seed + 1)
    ledger = DefectLedger()
    out = {}
    for name, frame in truth.tables().items():
        text = pd.DataFrame(index=frame.index)
        for col in frame.columns:
            values = frame[col]
            if pd.api.types.is_datetime64_any_dtype(values):
                text[col] = values.dt.strftime(date_format).astype(object).where(values.notna(),
                                                                                 None)
            elif pd.api.types.is_bool_dtype(values):
                text[col] = values.map({True: "Y", False: "N"}).astype(object).where(
                    values.notna(), None)
            else:
                text[col] = values.astype(object).where(values.notna(), None)
                text[col] = text[col].map(lambda v: v if v is None else str(v))
        if name == "episodes" and truth.legacy_places:
            text["place"] = text["place"].replace(_PLACE_LEGACY)
        out[name] = text
    if truth.defect_rate > 0:
        _inject(out, truth.defect_rate, rng, ledger, date_format)
    return out, ledger


def _pick(rng, frame: pd.DataFrame, rate: float, taken: set[int]) -> np.ndarray:
    n = rng.binomial(len(frame), rate) if len(frame) else 0
    free = np.setdiff1d(np.arange(len(frame)), np.fromiter(taken, int, len(taken)))
    return rng.choice(free, size=min(n, len(free)), replace=False)


def _inject(out: dict[str, pd.DataFrame], rate: float, rng, ledger: DefectLedger,
            date_format: str) -> None:
    """Defects of the kinds real exports show; error-level ones are logged by row."""
    bad = {name: set() for name in out}
    children, episodes, reviews = out["children"], out["episodes"], out["reviews"]
    # Error-level defects hit distinct rows, so the ledger knows each row's fate.
    rows = _pick(rng, episodes, rate, bad["episodes"])
    episodes.loc[rows, "ls"] = "ZZ"
    bad["episodes"].update(rows.tolist())
    ledger.counts["episodes.bad_code"] += len(rows)
    rows = _pick(rng, episodes, rate / 2, bad["episodes"])
    closed = rows[episodes.loc[rows, "dec"].notna().to_numpy()]
    episodes.loc[closed, ["decom", "dec"]] = episodes.loc[closed, ["dec", "decom"]].to_numpy()
    closed = closed[(episodes.loc[closed, "decom"] != episodes.loc[closed, "dec"]).to_numpy()]
    bad["episodes"].update(closed.tolist())
    ledger.counts["episodes.ends_before_start"] += len(closed)
    rows = _pick(rng, reviews, rate, bad["reviews"])
    reviews.loc[rows, "review_date"] = "31/02/" + rng.integers(2008, 2014, len(rows)).astype(str)
    bad["reviews"].update(rows.tolist())
    ledger.counts["reviews.impossible_date"] += len(rows)
    rows = _pick(rng, children, rate / 2, bad["children"])
    children.loc[rows, "sex"] = "9"
    bad["children"].update(rows.tolist())
    ledger.counts["children.bad_code"] += len(rows)
    # Cosmetic defects the readers must absorb without losing the row.
    for frame in (children, episodes, reviews):
        rows = _pick(rng, frame, rate, set())
        frame.loc[rows, "child_id"] = "  " + frame.loc[rows, "child_id"] + " "
        ledger.counts["whitespace_ids"] += len(rows)
    # Duplicated reviews: appended copies are the ones reported.
    dups = _pick(rng, reviews, rate / 2, bad["reviews"])
    out["reviews"] = pd.concat([reviews, reviews.loc[dups]], ignore_index=True)
    ledger.counts["reviews.duplicate"] += len(dups)
    ledger.counts["blank_rows"] = max(1, int(rate * 20))
    _inject_iro(out, rate, rng, ledger, bad)
    ledger.bad_rows = bad


def _inject_iro(out: dict[str, pd.DataFrame], rate: float, rng, ledger: DefectLedger,
                bad: dict[str, set[int]]) -> None:
    """The IRO-service tables' share: impossible dates, unknown codes, unknown children and IROs.

    Each defect is error-level and hits its own rows, so the ledger knows each row's fate.
    """
    def hit(table: str, share: float, column: str, value, kind: str, only_filled: bool = False):
        frame = out.get(table)
        if frame is None or frame.empty:
            return
        rows = _pick(rng, frame, share, bad[table])
        if only_filled:
            rows = rows[frame.loc[rows, column].notna().to_numpy()]
        frame.loc[rows, column] = value(len(rows)) if callable(value) else value
        bad[table].update(rows.tolist())
        ledger.counts[f"{table}.{kind}"] += len(rows)

    hit("review_records", rate, "sw_report_received",
        lambda n: "30/02/" + rng.integers(2008, 2014, n).astype(str), "impossible_date",
        only_filled=True)
    hit("review_records", rate / 2, "rag", "purple", "bad_code")
    hit("review_participants", rate, "status", "maybe", "bad_code")
    hit("notifications", rate / 2, "child_id", lambda n: [f"X{k:05d}" for k in range(n)],
        "unknown_child")
    hit("iro_allocations", rate / 2, "iro_id", "IRO999", "unknown_iro")


def write_csv(path: Path, frame: pd.DataFrame, *, blank: str = "", blank_rows: int = 0,
              encoding: str = "utf-8") -> Path:
    """A synthetic export file: the header, then the rows (missing values as ``blank``),
    with ``blank_rows`` empty rows spread through it, where real exports tend to have them."""
    rows = frame.astype(object).where(frame.notna(), blank).to_numpy().tolist()
    for k in range(blank_rows):
        rows.insert((k + 1) * len(rows) // (blank_rows + 1), [""] * len(frame.columns))
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(frame.columns)
        writer.writerows(rows)
    return path
